import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A WeChat user who interacted with the official account. The interaction times drive the 48-hour
 * reply window and the customer-service message quota (see modules/outbox/replyWindow.ts).
 */
@Entity("fan")
export class Fan {
  @PrimaryColumn({ type: "varchar", length: 64 })
  openid: string;

  @Column({ type: "boolean", default: false })
  subscribed: boolean;

  @Column({ type: "varchar", length: 100, nullable: true })
  nickname: string | null;

  @Column({ name: "subscribed_at", type: "datetime", precision: 3, nullable: true })
  subscribedAt: Date | null;

  @Column({ name: "unsubscribed_at", type: "datetime", precision: 3, nullable: true })
  unsubscribedAt: Date | null;

  /** Last message the fan sent (text, image, voice, …): grants 5 customer-service messages within 48 h. */
  @Column({ name: "last_message_at", type: "datetime", precision: 3, nullable: true })
  lastMessageAt: Date | null;

  /** Last menu click, follow or QR scan: grants 3 customer-service messages within 1 minute. */
  @Column({ name: "last_event_at", type: "datetime", precision: 3, nullable: true })
  lastEventAt: Date | null;

  /** Latest of any interaction that opens the 48-hour window. */
  @Column({ name: "last_interaction_at", type: "datetime", precision: 3, nullable: true })
  lastInteractionAt: Date | null;

  /** Agents' remark name for the fan. */
  @Column({ type: "varchar", length: 100, nullable: true })
  remark: string | null;

  @Column({ type: "simple-json", nullable: true })
  tags: string[] | null;

  @Column({ type: "text", nullable: true })
  notes: string | null;

  /** A blacklisted fan is never queued and gets the blacklist reply. */
  @Column({ type: "boolean", default: false })
  blacklisted: boolean;

  @Column({ name: "blacklist_reason", type: "varchar", length: 200, nullable: true })
  blacklistReason: string | null;

  @Column({ name: "blacklisted_at", type: "datetime", precision: 3, nullable: true })
  blacklistedAt: Date | null;

  @Column({ name: "blacklisted_by", type: "varchar", length: 36, nullable: true })
  blacklistedBy: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
