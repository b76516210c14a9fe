import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export type AgentRole = "agent" | "supervisor" | "admin";
export type AgentStatus = "online" | "away" | "offline";
export type SendKey = "enter" | "ctrl_enter";

/** Per-agent preferences, edited on the agent's settings page. */
export interface AgentSettings {
  autoAccept: boolean;
  /** Sent to the fan when this agent accepts a conversation; empty = none. */
  greeting: string;
  /** Sent to fans in this agent's conversations while the agent is away; empty = none. */
  awayReply: string;
  soundOnNewConversation: boolean;
  soundOnNewMessage: boolean;
  desktopOnNewConversation: boolean;
  desktopOnNewMessage: boolean;
  sendKey: SendKey;
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = {
  autoAccept: false,
  greeting: "您好，我是水务客服，很高兴为您服务。",
  awayReply: "客服暂时离开，请稍候，我们会尽快回复您。",
  soundOnNewConversation: true,
  soundOnNewMessage: true,
  desktopOnNewConversation: true,
  desktopOnNewMessage: false,
  sendKey: "enter",
};

@Entity("agent_group")
export class AgentGroup {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Index("ux_agent_group_name", { unique: true })
  @Column({ type: "varchar", length: 50 })
  name: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

/** A person answering fans: agent (客服), supervisor (组长) or admin (管理员). */
@Entity("agent")
export class Agent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 50 })
  name: string;

  /** 工号; unique among agents that are not deleted (a deleted agent's number is suffixed). */
  @Index("ux_agent_job_number", { unique: true })
  @Column({ name: "job_number", type: "varchar", length: 40 })
  jobNumber: string;

  @Column({ type: "varchar", length: 16 })
  role: AgentRole;

  @Column({ name: "group_id", type: "varchar", length: 36, nullable: true })
  groupId: string | null;

  /** Concurrent conversations; 0 means busy (no new assignments). */
  @Column({ type: "int", default: 5 })
  capacity: number;

  /** The openid of the agent's own WeChat on this official account, bound by scanning a binding QR code. */
  @Index("ux_agent_wechat_openid", { unique: true })
  @Column({ name: "wechat_openid", type: "varchar", length: 64, nullable: true })
  wechatOpenid: string | null;

  /** scrypt hash for password login (admins, sandbox demo); null = QR login only. */
  @Column({ name: "password_hash", type: "varchar", length: 200, nullable: true })
  passwordHash: string | null;

  @Column({ type: "varchar", length: 10, default: "offline" })
  status: AgentStatus;

  @Column({ name: "status_changed_at", type: "datetime", precision: 3, nullable: true })
  statusChangedAt: Date | null;

  @Column({ type: "simple-json" })
  settings: AgentSettings;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;

  @Column({ name: "deleted_at", type: "datetime", precision: 3, nullable: true })
  deletedAt: Date | null;
}
