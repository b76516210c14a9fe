import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** 停水通知, 水质公告, 水压公告, 抢修动态, 企业新闻. */
export type NoticeKind = "outage" | "quality" | "pressure" | "repair" | "news";
export type OutageType = "planned" | "emergency";
/** A draft has never been published; unpublished ones were taken down by an admin (and may go up again). */
export type NoticeStatus = "draft" | "published" | "unpublished";
export type NoticeEntryKind = "text" | "image" | "video";

/**
 * A notice. Fans see it while it is published and inside its window (publishFrom ≤ now < publishUntil,
 * no until = open-ended). Outages carry the interruption's start and end (repairs may: the expected
 * restoration) and their affected areas in notice_area.
 */
@Entity("notice")
@Index("ix_notice_visible", ["status", "publishFrom"])
@Index("ix_notice_kind_visible", ["kind", "status", "publishFrom"])
export class Notice {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 16 })
  kind: NoticeKind;

  @Column({ name: "outage_type", type: "varchar", length: 16, nullable: true })
  outageType: OutageType | null;

  @Column({ type: "varchar", length: 100 })
  title: string;

  @Column({ type: "text" })
  content: string;

  @Column({ name: "starts_at", type: "datetime", precision: 3, nullable: true })
  startsAt: Date | null;

  @Column({ name: "ends_at", type: "datetime", precision: 3, nullable: true })
  endsAt: Date | null;

  @Column({ type: "varchar", length: 16 })
  status: NoticeStatus;

  /** Set to the publish time when an admin publishes without choosing one. */
  @Column({ name: "publish_from", type: "datetime", precision: 3, nullable: true })
  publishFrom: Date | null;

  @Column({ name: "publish_until", type: "datetime", precision: 3, nullable: true })
  publishUntil: Date | null;

  @Column({ name: "first_published_at", type: "datetime", precision: 3, nullable: true })
  firstPublishedAt: Date | null;

  /** When the emergency outage's template messages were enqueued; set once, never cleared. */
  @Column({ name: "notified_at", type: "datetime", precision: 3, nullable: true })
  notifiedAt: Date | null;

  @Column({ name: "created_by", type: "varchar", length: 36 })
  createdBy: string;

  @Column({ name: "updated_by", type: "varchar", length: 36 })
  updatedBy: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/** One affected area of a notice: the same names as the water accounts' area (城东片区 …). */
@Entity("notice_area")
@Index("ux_notice_area_notice_area", ["noticeId", "area"], { unique: true })
@Index("ix_notice_area_area", ["area"])
export class NoticeArea {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "notice_id", type: "varchar", length: 36 })
  noticeId: string;

  @Column({ type: "varchar", length: 50 })
  area: string;
}

/** One update on a repair's live timeline: text, or a photo or video (by URL) with an optional caption. */
@Entity("notice_entry")
@Index("ix_notice_entry_notice", ["noticeId", "happenedAt"])
export class NoticeEntry {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "notice_id", type: "varchar", length: 36 })
  noticeId: string;

  @Column({ type: "varchar", length: 8 })
  kind: NoticeEntryKind;

  @Column({ type: "text", nullable: true })
  text: string | null;

  @Column({ name: "media_url", type: "varchar", length: 500, nullable: true })
  mediaUrl: string | null;

  @Column({ name: "happened_at", type: "datetime", precision: 3 })
  happenedAt: Date;

  @Column({ name: "created_by", type: "varchar", length: 36 })
  createdBy: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

/**
 * One emergency-outage template message to a fan, written in the transaction of its outbox row: the
 * unique key makes the notification exactly-once per notice and fan, however many publishes overlap.
 */
@Entity("notice_notification")
@Index("ux_notice_notification_once", ["noticeId", "fanOpenid"], { unique: true })
export class NoticeNotification {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "notice_id", type: "varchar", length: 36 })
  noticeId: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ name: "outbox_id", type: "varchar", length: 36 })
  outboxId: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

/**
 * A photo an admin uploaded for a notice (repair timeline). The bytes live in the database so every
 * instance can serve them; they are public (notices are), at /api/fan/notices/media/<id>.
 */
@Entity("notice_media")
export class NoticeMedia {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "content_type", type: "varchar", length: 40 })
  contentType: string;

  @Column({ name: "size_bytes", type: "int" })
  sizeBytes: number;

  /** Not selected by default: only the media route loads the bytes. */
  @Column({ type: "blob", select: false })
  data: Buffer;

  @Column({ name: "created_by", type: "varchar", length: 36 })
  createdBy: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}
