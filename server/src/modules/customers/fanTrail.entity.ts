import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** What the fan did, newest first in the profile: follows, menu clicks, QR scans, H5 pages, bill queries, payments. */
export type FanTrailKind = "follow" | "unfollow" | "menu_click" | "menu_view" | "qr_scan" | "h5_open" | "bill_query" | "payment" | "rating";

@Entity("fan_trail")
@Index("ix_fan_trail_openid_at", ["openid", "at"])
export class FanTrail {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 64 })
  openid: string;

  @Column({ type: "varchar", length: 20 })
  kind: FanTrailKind;

  @Column({ type: "simple-json", nullable: true })
  detail: object | null;

  @Column({ type: "datetime", precision: 3 })
  at: Date;
}
