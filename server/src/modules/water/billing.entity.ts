import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * The built-in billing system's tables (used when BILLING_API_BASE is unset): accounts, the tiered price
 * table, meter readings, monthly bills and payments. Money is integer fen, volumes integer m³.
 */

/** One step of the residential tiered price (阶梯水价), per m³ of a month's volume. */
@Entity("water_price_tier")
export class WaterPriceTier {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Index("ux_water_price_tier_tier", { unique: true })
  @Column({ type: "int" })
  tier: number;

  /** The tier covers volumes above lowerM3 up to upperM3 (null = no upper bound). */
  @Column({ name: "lower_m3", type: "int" })
  lowerM3: number;

  @Column({ name: "upper_m3", type: "int", nullable: true })
  upperM3: number | null;

  @Column({ name: "unit_price_fen", type: "int" })
  unitPriceFen: number;

  @Column({ type: "varchar", length: 50 })
  label: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

@Entity("water_account")
@Index("ix_water_account_area", ["area"])
export class WaterAccount {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** 户号, as printed on the bill. */
  @Index("ux_water_account_customer_number", { unique: true })
  @Column({ name: "customer_number", type: "varchar", length: 32 })
  customerNumber: string;

  @Column({ name: "owner_name", type: "varchar", length: 50 })
  ownerName: string;

  @Column({ type: "varchar", length: 200 })
  address: string;

  /** Supply area / district (片区): outage notices target it. */
  @Column({ type: "varchar", length: 50 })
  area: string;

  /** scrypt hash of the query password (查询密码) printed on the bill. */
  @Column({ name: "query_password_hash", type: "varchar", length: 200 })
  queryPasswordHash: string;

  /** Prepaid credit not yet applied to a bill. */
  @Column({ name: "balance_fen", type: "int", default: 0 })
  balanceFen: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

@Entity("water_meter_reading")
@Index("ix_water_meter_reading_account", ["accountId", "readAt"])
export class WaterMeterReading {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "account_id", type: "varchar", length: 36 })
  accountId: string;

  /** The meter's register in whole m³. */
  @Column({ type: "int" })
  reading: number;

  @Column({ name: "read_at", type: "datetime", precision: 3 })
  readAt: Date;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

export interface TierCharge {
  tier: number;
  label: string;
  /** Volume of the month billed in this tier, m³. */
  volumeM3: number;
  unitPriceFen: number;
  amountFen: number;
}

export type BillStatus = "unpaid" | "paid";

@Entity("water_bill")
@Index("ux_water_bill_account_month", ["accountId", "month"], { unique: true })
@Index("ix_water_bill_month", ["month"])
export class WaterBill {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "account_id", type: "varchar", length: 36 })
  accountId: string;

  /** The billing month, "YYYY-MM". */
  @Column({ type: "varchar", length: 7 })
  month: string;

  @Column({ name: "previous_reading", type: "int" })
  previousReading: number;

  @Column({ name: "current_reading", type: "int" })
  currentReading: number;

  @Column({ name: "volume_m3", type: "int" })
  volumeM3: number;

  @Column({ name: "amount_fen", type: "int" })
  amountFen: number;

  @Column({ type: "simple-json" })
  tiers: TierCharge[];

  @Column({ type: "varchar", length: 8 })
  status: BillStatus;

  @Column({ name: "issued_at", type: "datetime", precision: 3 })
  issuedAt: Date;

  @Column({ name: "paid_at", type: "datetime", precision: 3, nullable: true })
  paidAt: Date | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

/** A payment credited to an account (idempotent per paymentRef, e.g. the WeChat Pay order number). */
@Entity("water_payment")
@Index("ix_water_payment_account", ["accountId", "paidAt"])
export class WaterPayment {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "account_id", type: "varchar", length: 36 })
  accountId: string;

  @Index("ux_water_payment_ref", { unique: true })
  @Column({ name: "payment_ref", type: "varchar", length: 64 })
  paymentRef: string;

  @Column({ name: "amount_fen", type: "int" })
  amountFen: number;

  /** The bill months this payment settled. */
  @Column({ name: "settled_months", type: "simple-json" })
  settledMonths: string[];

  @Column({ name: "balance_after_fen", type: "int" })
  balanceAfterFen: number;

  @Column({ name: "paid_at", type: "datetime", precision: 3 })
  paidAt: Date;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}
