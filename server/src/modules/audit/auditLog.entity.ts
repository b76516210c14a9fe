import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export type AuditActorType = "fan" | "agent" | "system";

/** Who looked at or changed what, and when: every account or bill query by a fan or an agent, binding changes. */
@Entity("audit_log")
@Index("ix_audit_log_at", ["at"])
@Index("ix_audit_log_actor", ["actorId", "at"])
@Index("ix_audit_log_account", ["customerNumber", "at"])
@Index("ix_audit_log_action", ["action", "at"])
export class AuditLog {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "actor_type", type: "varchar", length: 10 })
  actorType: AuditActorType;

  /** The fan's openid, the agent's id, or the job's name. */
  @Column({ name: "actor_id", type: "varchar", length: 64 })
  actorId: string;

  @Column({ type: "varchar", length: 40 })
  action: string;

  @Column({ name: "customer_number", type: "varchar", length: 32, nullable: true })
  customerNumber: string | null;

  @Column({ type: "simple-json", nullable: true })
  detail: object | null;

  @Column({ type: "varchar", length: 45, nullable: true })
  ip: string | null;

  @Column({ type: "datetime", precision: 3 })
  at: Date;
}
