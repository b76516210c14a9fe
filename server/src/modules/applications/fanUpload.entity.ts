import { Column, Entity, Index, PrimaryColumn } from "typeorm";

export type FanUploadKind = "image" | "voice";

/**
 * A file a fan uploaded from an H5 form (ID photos, complaint photos, a voice note). The bytes live in the
 * database, not on one instance's disk, so every server instance behind the load balancer can serve them.
 * `attachedTo` names the application or complaint that uses it ("application:<id>", "complaint:<id>");
 * staff can read only attached files, a fan only their own.
 */
@Entity("fan_upload")
@Index("ix_fan_upload_fan_created", ["fanOpenid", "createdAt"])
@Index("ix_fan_upload_attached", ["attachedTo"])
export class FanUpload {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ type: "varchar", length: 8 })
  kind: FanUploadKind;

  @Column({ name: "content_type", type: "varchar", length: 40 })
  contentType: string;

  @Column({ name: "size_bytes", type: "int" })
  sizeBytes: number;

  /** Not selected by default: listings never load the bytes. */
  @Column({ type: "blob", select: false })
  data: Buffer;

  @Column({ name: "attached_to", type: "varchar", length: 60, nullable: true })
  attachedTo: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}
