import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A fan's phone number, verified by SMS code; binding accounts needs one. */
@Entity("fan_phone")
export class FanPhone {
  @PrimaryColumn({ type: "varchar", length: 64 })
  openid: string;

  @Index("ix_fan_phone_phone")
  @Column({ type: "varchar", length: 20 })
  phone: string;

  @Column({ name: "verified_at", type: "datetime", precision: 3 })
  verifiedAt: Date;
}

/**
 * A water account bound to a fan (several per fan). Its id is the fan-facing account id in every
 * /api/fan/accounts/:id route and H5 link; the account itself lives in the billing system. The owner
 * name is kept masked, the address and area as the billing system gave them at binding time.
 */
@Entity("water_binding")
@Index("ux_water_binding_fan_account", ["fanOpenid", "customerNumber"], { unique: true })
export class WaterBinding {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Index("ix_water_binding_customer_number")
  @Column({ name: "customer_number", type: "varchar", length: 32 })
  customerNumber: string;

  @Column({ name: "owner_name_masked", type: "varchar", length: 50 })
  ownerNameMasked: string;

  @Column({ type: "varchar", length: 200 })
  address: string;

  @Column({ type: "varchar", length: 50 })
  area: string;

  /** Subscribed to the monthly bill notice (template message). */
  @Index("ix_water_binding_subscribed")
  @Column({ type: "boolean", default: false })
  subscribed: boolean;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/**
 * One monthly bill notice sent to a fan for an account, written in the transaction of its outbox row:
 * the unique key makes the push exactly-once per account, month and fan however many runs overlap.
 */
@Entity("water_bill_notice")
@Index("ux_water_bill_notice_once", ["customerNumber", "month", "fanOpenid"], { unique: true })
export class WaterBillNotice {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "customer_number", type: "varchar", length: 32 })
  customerNumber: string;

  @Column({ type: "varchar", length: 7 })
  month: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ name: "binding_id", type: "varchar", length: 36 })
  bindingId: string;

  @Column({ name: "outbox_id", type: "varchar", length: 36 })
  outboxId: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}
