import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** Where a complaint came from: an agent closing a conversation as unresolved, the H5 form, or the chat menu. */
export type ComplaintSource = "conversation" | "h5" | "chat_menu";
/** The workflow starts at submitted; the water-services issue adds accept → process → feedback → revisit. */
export type ComplaintStatus = "submitted";

/** One line of the conversation transcript attached to a complaint. */
export interface TranscriptLine {
  at: string;
  direction: "in" | "out" | "system";
  /** Who spoke: the fan's name, an agent's name, or 系统. */
  speaker: string;
  kind: string;
  content: string | null;
}

/** A complaint ticket (投诉工单). Minimal for now: the water-services issue extends it. */
@Entity("complaint")
@Index("ix_complaint_fan_created", ["fanOpenid", "createdAt"])
@Index("ix_complaint_conversation", ["conversationId"])
@Index("ix_complaint_status_created", ["status", "createdAt"])
export class Complaint {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ type: "varchar", length: 16 })
  source: ComplaintSource;

  @Column({ name: "conversation_id", type: "varchar", length: 36, nullable: true })
  conversationId: string | null;

  @Column({ type: "varchar", length: 100 })
  title: string;

  @Column({ type: "text" })
  content: string;

  @Column({ type: "simple-json", nullable: true })
  transcript: TranscriptLine[] | null;

  @Column({ type: "varchar", length: 16 })
  status: ComplaintStatus;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
