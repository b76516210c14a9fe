import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** 个人开户, 户改/过户, 水表校验 (a paid service). */
export type ApplicationType = "new_account" | "account_change" | "meter_check";

/**
 * submitted → accepted → processing → done / rejected. A paid type starts at awaiting_payment and becomes
 * submitted when the payments module credits its fee (ApplicationFees.markPaid).
 */
export type ApplicationStatus = "awaiting_payment" | "submitted" | "accepted" | "processing" | "done" | "rejected";

/** A fan's business application (业务申请) from the H5 form. */
@Entity("application")
@Index("ix_application_fan_created", ["fanOpenid", "createdAt"])
@Index("ix_application_status_created", ["status", "createdAt"])
@Index("ix_application_type_created", ["type", "createdAt"])
export class Application {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** Short number shown to people (SQ + China date + 4 digits), unique. */
  @Index("ux_application_number", { unique: true })
  @Column({ type: "varchar", length: 20 })
  number: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ type: "varchar", length: 16 })
  type: ApplicationType;

  @Column({ type: "varchar", length: 16 })
  status: ApplicationStatus;

  @Column({ name: "owner_name", type: "varchar", length: 50 })
  ownerName: string;

  /** Not for a new account (it has none yet). */
  @Column({ name: "customer_number", type: "varchar", length: 32, nullable: true })
  customerNumber: string | null;

  @Column({ name: "id_number", type: "varchar", length: 18 })
  idNumber: string;

  @Column({ name: "id_front_upload_id", type: "varchar", length: 36 })
  idFrontUploadId: string;

  @Column({ name: "id_back_upload_id", type: "varchar", length: 36 })
  idBackUploadId: string;

  @Column({ type: "varchar", length: 50 })
  area: string;

  @Column({ type: "varchar", length: 200 })
  address: string;

  @Column({ name: "detail_address", type: "varchar", length: 200 })
  detailAddress: string;

  /** Verified by SMS code when the application was submitted. */
  @Column({ type: "varchar", length: 20 })
  phone: string;

  @Column({ type: "varchar", length: 500, nullable: true })
  remark: string | null;

  /** 0 for free types. */
  @Column({ name: "fee_fen", type: "int" })
  feeFen: number;

  @Column({ name: "paid_at", type: "datetime", precision: 3, nullable: true })
  paidAt: Date | null;

  @Column({ name: "payment_order_id", type: "varchar", length: 64, nullable: true })
  paymentOrderId: string | null;

  @Column({ name: "reject_reason", type: "varchar", length: 200, nullable: true })
  rejectReason: string | null;

  /** The staff member who accepted it. */
  @Column({ name: "handler_id", type: "varchar", length: 36, nullable: true })
  handlerId: string | null;

  /** Bumped by every change; transitions are conditional updates on it. */
  @Column({ type: "int", default: 0 })
  version: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/** One row of an application's timeline: each status change, with who, when and a note. */
@Entity("application_event")
@Index("ix_application_event_application", ["applicationId", "at"])
export class ApplicationEvent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "application_id", type: "varchar", length: 36 })
  applicationId: string;

  @Column({ name: "from_status", type: "varchar", length: 16, nullable: true })
  fromStatus: ApplicationStatus | null;

  @Column({ name: "to_status", type: "varchar", length: 16 })
  toStatus: ApplicationStatus;

  /** fan, agent (any staff role), or system (the payments module). */
  @Column({ name: "actor_type", type: "varchar", length: 8 })
  actorType: "fan" | "agent" | "system";

  @Column({ name: "actor_id", type: "varchar", length: 64, nullable: true })
  actorId: string | null;

  @Column({ name: "actor_name", type: "varchar", length: 50, nullable: true })
  actorName: string | null;

  @Column({ type: "varchar", length: 500, nullable: true })
  note: string | null;

  @Column({ type: "datetime", precision: 3 })
  at: Date;
}
