import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** Where a complaint came from: an agent closing a conversation as unresolved, the H5 form, or the chat menu. */
export type ComplaintSource = "conversation" | "h5" | "chat_menu";
/**
 * submitted → accepted → processing → replied (result sent to the fan) → revisited (satisfaction recorded) → closed.
 * A supervisor may close an open one early with a reason (duplicates, nonsense).
 */
export type ComplaintStatus = "submitted" | "accepted" | "processing" | "replied" | "revisited" | "closed";
export type ComplaintCategory = "complaint" | "suggestion";

/** Where the fan was when filing (WeChat JS-SDK getLocation, or a place they picked). */
export interface ComplaintLocation {
  lat: number;
  lng: number;
  label: string | null;
}

/** One line of the conversation transcript attached to a complaint. */
export interface TranscriptLine {
  at: string;
  direction: "in" | "out" | "system";
  /** Who spoke: the fan's name, an agent's name, or 系统. */
  speaker: string;
  kind: string;
  content: string | null;
}

/** A complaint or suggestion ticket (投诉工单) and its workflow state. */
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

  /** Fan-facing ticket number (TS + China date + 6 digits); null only on tickets filed before it existed. */
  @Index("ux_complaint_number", { unique: true })
  @Column({ type: "varchar", length: 20, nullable: true })
  number: string | null;

  @Column({ type: "varchar", length: 16, default: "complaint" })
  category: ComplaintCategory;

  /** The staff member handling it. */
  @Index("ix_complaint_assignee")
  @Column({ name: "assignee_id", type: "varchar", length: 36, nullable: true })
  assigneeId: string | null;

  /** fan_upload ids of up to 6 photos. */
  @Column({ name: "photo_upload_ids", type: "simple-json", nullable: true })
  photoUploadIds: string[] | null;

  @Column({ name: "voice_upload_id", type: "varchar", length: 36, nullable: true })
  voiceUploadId: string | null;

  @Column({ type: "simple-json", nullable: true })
  location: ComplaintLocation | null;

  /** The bound account it is about, if the fan picked one. */
  @Column({ name: "customer_number", type: "varchar", length: 32, nullable: true })
  customerNumber: string | null;

  /** The result sent to the fan. */
  @Column({ type: "text", nullable: true })
  result: string | null;

  @Column({ name: "replied_at", type: "datetime", precision: 3, nullable: true })
  repliedAt: Date | null;

  /** Satisfaction 1–5 from the revisit (staff after a call, or the fan on the H5 page). */
  @Column({ type: "int", nullable: true })
  rating: number | null;

  @Column({ name: "rating_by", type: "varchar", length: 8, nullable: true })
  ratingBy: "fan" | "staff" | null;

  @Column({ name: "revisit_note", type: "varchar", length: 500, nullable: true })
  revisitNote: string | null;

  @Column({ name: "revisited_at", type: "datetime", precision: 3, nullable: true })
  revisitedAt: Date | null;

  @Column({ name: "accepted_at", type: "datetime", precision: 3, nullable: true })
  acceptedAt: Date | null;

  @Column({ name: "closed_at", type: "datetime", precision: 3, nullable: true })
  closedAt: Date | null;

  /** Bumped by every change; transitions are conditional updates on it. */
  @Column({ type: "int", default: 0 })
  version: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

export type ComplaintEventType = "created" | "accepted" | "assigned" | "note" | "replied" | "revisited" | "closed";

/** One row of a complaint's timeline. Internal notes are hidden from the fan unless marked public. */
@Entity("complaint_event")
@Index("ix_complaint_event_complaint", ["complaintId", "at"])
export class ComplaintEvent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "complaint_id", type: "varchar", length: 36 })
  complaintId: string;

  @Column({ type: "varchar", length: 16 })
  type: ComplaintEventType;

  @Column({ name: "from_status", type: "varchar", length: 16, nullable: true })
  fromStatus: ComplaintStatus | null;

  @Column({ name: "to_status", type: "varchar", length: 16 })
  toStatus: ComplaintStatus;

  @Column({ name: "actor_type", type: "varchar", length: 8 })
  actorType: "fan" | "agent" | "system";

  @Column({ name: "actor_id", type: "varchar", length: 64, nullable: true })
  actorId: string | null;

  @Column({ name: "actor_name", type: "varchar", length: 50, nullable: true })
  actorName: string | null;

  @Column({ type: "text", nullable: true })
  note: string | null;

  /** Shown to the fan in their timeline (status changes and the result are; internal notes are not by default). */
  @Column({ name: "is_public", type: "boolean", default: true })
  isPublic: boolean;

  @Column({ type: "datetime", precision: 3 })
  at: Date;
}
