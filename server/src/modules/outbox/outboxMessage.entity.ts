import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export type OutboxKind = "custom" | "typing" | "template" | "menu_create" | "menu_delete";
/** pending → sending → sent | failed (WeChat refused, permanent) | refused (we did not call WeChat: window/quota). */
export type OutboxStatus = "pending" | "sending" | "sent" | "failed" | "refused";

/** One outbound WeChat call, written in the transaction of the change that causes it. */
@Entity("outbox_message")
@Index("ix_outbox_due", ["status", "nextAttemptAt"])
@Index("ix_outbox_fan", ["fanOpenid", "status"])
export class OutboxMessage {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** The fan this call addresses; calls to one fan are sent in id order. Null for account-wide calls (menus). */
  @Column({ name: "fan_openid", type: "varchar", length: 64, nullable: true })
  fanOpenid: string | null;

  @Column({ type: "varchar", length: 20 })
  kind: OutboxKind;

  /** The call's parameters (e.g. a CustomMessage) as JSON. */
  @Column({ type: "simple-json" })
  payload: object;

  @Column({ type: "varchar", length: 10 })
  status: OutboxStatus;

  @Column({ type: "int", default: 0 })
  attempts: number;

  @Column({ name: "next_attempt_at", type: "datetime", precision: 3 })
  nextAttemptAt: Date;

  /** The dispatcher holding the row while sending; a claim past its expiry is taken back (crash recovery). */
  @Column({ name: "claimed_by", type: "varchar", length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: "claim_expires_at", type: "datetime", precision: 3, nullable: true })
  claimExpiresAt: Date | null;

  @Column({ name: "last_errcode", type: "int", nullable: true })
  lastErrcode: number | null;

  @Column({ name: "last_error", type: "varchar", length: 500, nullable: true })
  lastError: string | null;

  /** What WeChat returned on success (e.g. a template msgid), as JSON. */
  @Column({ type: "simple-json", nullable: true })
  result: object | null;

  /** Who asked for the call, e.g. `conversation_message:<id>`, so the console can show its fate. */
  @Index("ix_outbox_ref")
  @Column({ type: "varchar", length: 100, nullable: true })
  ref: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "sent_at", type: "datetime", precision: 3, nullable: true })
  sentAt: Date | null;
}
