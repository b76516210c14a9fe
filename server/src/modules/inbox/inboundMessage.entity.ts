import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** Every message and event WeChat delivered, stored once (unique dedupe key) before it is acknowledged. */
@Entity("inbound_message")
@Index("ix_inbound_message_openid_received", ["openid", "receivedAt"])
@Index("ix_inbound_message_unrouted", ["routedAt", "receivedAt"])
export class InboundMessageRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** `msg:<MsgId>` or `evt:<FromUserName>:<CreateTime>:<Event>`; unique across all instances. */
  @Index("ux_inbound_message_dedupe", { unique: true })
  @Column({ name: "dedupe_key", type: "varchar", length: 191 })
  dedupeKey: string;

  @Column({ type: "varchar", length: 64 })
  openid: string;

  /** The InboundMessage kind: text, image, …, subscribe, click, unknown. */
  @Column({ type: "varchar", length: 32 })
  kind: string;

  /** WeChat's MsgId (exceeds 2^53: kept as a string). */
  @Column({ name: "msg_id", type: "varchar", length: 32, nullable: true })
  msgId: string | null;

  /** The typed fields of the message as JSON (without rawXml). */
  @Column({ type: "simple-json" })
  payload: Record<string, unknown>;

  @Column({ name: "raw_xml", type: "text" })
  rawXml: string;

  /** WeChat's CreateTime. */
  @Column({ name: "created_time", type: "datetime", precision: 3 })
  createdTime: Date;

  @Column({ name: "received_at", type: "datetime", precision: 3 })
  receivedAt: Date;

  /** Set once the modules (conversations, …) have acted on the message; a sweep re-routes rows left null by a crash. */
  @Column({ name: "routed_at", type: "datetime", precision: 3, nullable: true })
  routedAt: Date | null;
}
