import { Column, Entity, PrimaryColumn } from "typeorm";

/** Admin-editable settings (service texts, quotas, timers) as JSON values under fixed keys. */
@Entity("setting")
export class SettingRow {
  @PrimaryColumn({ type: "varchar", length: 100 })
  key: string;

  @Column({ type: "simple-json" })
  value: unknown;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
