import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * WeChat Pay orders, their refunds, the anomalies we refused to act on, and the daily reconciliation
 * reports. Money is integer fen. Times are UTC; "days" are China days (UTC+8).
 */

export type PayPurpose = "bill" | "topup" | "application";

/**
 * pending → paid (WeChat says SUCCESS, verified) or closed (expired / closed / never created).
 * A SUCCESS that arrives for a closed order is recorded as paid with needsRefund set (never credited).
 */
export type PayOrderStatus = "pending" | "paid" | "closed";

@Entity("pay_order")
@Index("ix_pay_order_fan", ["fanOpenid", "createdAt"])
@Index("ix_pay_order_status", ["status", "createdAt"])
@Index("ix_pay_order_paid_at", ["paidAt"])
@Index("ix_pay_order_customer", ["customerNumber", "createdAt"])
export class PayOrder {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Index("ux_pay_order_out_trade_no", { unique: true })
  @Column({ name: "out_trade_no", type: "varchar", length: 32 })
  outTradeNo: string;

  @Column({ type: "varchar", length: 12 })
  purpose: PayPurpose;

  /** The payer: the fan's openid under the official account. */
  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  /** The fan's account binding (bill and top-up orders). */
  @Column({ name: "binding_id", type: "varchar", length: 36, nullable: true })
  bindingId: string | null;

  @Column({ name: "customer_number", type: "varchar", length: 32, nullable: true })
  customerNumber: string | null;

  /** Bill orders: the month the fan chose; billMonths are every unpaid month the amount covers (older ones included). */
  @Column({ name: "bill_month", type: "varchar", length: 7, nullable: true })
  billMonth: string | null;

  @Column({ name: "bill_months", type: "simple-json", nullable: true })
  billMonths: string[] | null;

  @Column({ name: "application_id", type: "varchar", length: 36, nullable: true })
  applicationId: string | null;

  /**
   * Set only while the order is pending and reusable (bill and application orders): unique, so two
   * requests at once cannot open two orders for the same thing. Cleared when the order leaves pending.
   */
  @Index("ux_pay_order_open_key", { unique: true })
  @Column({ name: "open_key", type: "varchar", length: 160, nullable: true })
  openKey: string | null;

  @Column({ type: "varchar", length: 127 })
  description: string;

  @Column({ name: "amount_fen", type: "int" })
  amountFen: number;

  @Column({ type: "varchar", length: 10 })
  status: PayOrderStatus;

  /** The last trade_state WeChat reported (notify or query). */
  @Column({ name: "trade_state", type: "varchar", length: 16, nullable: true })
  tradeState: string | null;

  @Column({ name: "transaction_id", type: "varchar", length: 32, nullable: true })
  transactionId: string | null;

  @Column({ name: "expires_at", type: "datetime", precision: 3 })
  expiresAt: Date;

  @Column({ name: "paid_at", type: "datetime", precision: 3, nullable: true })
  paidAt: Date | null;

  /** How the payment became known: "notify" or "query". */
  @Column({ name: "paid_via", type: "varchar", length: 8, nullable: true })
  paidVia: string | null;

  @Column({ name: "closed_at", type: "datetime", precision: 3, nullable: true })
  closedAt: Date | null;

  /** When the billing system (or the application) recorded the payment; null while still owed. */
  @Column({ name: "credited_at", type: "datetime", precision: 3, nullable: true })
  creditedAt: Date | null;

  @Column({ name: "credit_attempts", type: "int", default: 0 })
  creditAttempts: number;

  @Column({ name: "credit_error", type: "varchar", length: 200, nullable: true })
  creditError: string | null;

  /** Bill months the billing system settled with this payment. */
  @Column({ name: "settled_months", type: "simple-json", nullable: true })
  settledMonths: string[] | null;

  /** Paid after we had closed it: never credited, an admin refunds it. */
  @Column({ name: "needs_refund", type: "boolean", default: false })
  needsRefund: boolean;

  /** Sum of successful refunds. */
  @Column({ name: "refunded_fen", type: "int", default: 0 })
  refundedFen: number;

  @Column({ name: "last_queried_at", type: "datetime", precision: 3, nullable: true })
  lastQueriedAt: Date | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/**
 * requested (row written, WeChat not yet asked or asking failed retryably) → processing → success | closed |
 * abnormal; failed = WeChat refused the request (nothing was refunded).
 */
export type PayRefundStatus = "requested" | "processing" | "success" | "closed" | "abnormal" | "failed";

@Entity("pay_refund")
@Index("ix_pay_refund_order", ["orderId", "createdAt"])
@Index("ix_pay_refund_status", ["status", "createdAt"])
export class PayRefund {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "order_id", type: "varchar", length: 36 })
  orderId: string;

  @Index("ux_pay_refund_out_refund_no", { unique: true })
  @Column({ name: "out_refund_no", type: "varchar", length: 64 })
  outRefundNo: string;

  @Column({ name: "refund_id", type: "varchar", length: 32, nullable: true })
  refundId: string | null;

  @Column({ name: "amount_fen", type: "int" })
  amountFen: number;

  @Column({ type: "varchar", length: 80 })
  reason: string;

  @Column({ type: "varchar", length: 10 })
  status: PayRefundStatus;

  @Column({ name: "requested_by", type: "varchar", length: 36 })
  requestedBy: string;

  @Column({ name: "error", type: "varchar", length: 200, nullable: true })
  error: string | null;

  @Column({ name: "succeeded_at", type: "datetime", precision: 3, nullable: true })
  succeededAt: Date | null;

  /** When the billing system recorded the refund against the account (bill and top-up orders). */
  @Column({ name: "debited_at", type: "datetime", precision: 3, nullable: true })
  debitedAt: Date | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

export type PayAnomalyKind = "unknown_order" | "amount_mismatch" | "merchant_mismatch" | "payer_mismatch" | "paid_after_close" | "unknown_refund" | "refund_abnormal";

/** A verified notification or query answer we did not act on (or had to flag): admins review these. */
@Entity("pay_anomaly")
@Index("ix_pay_anomaly_at", ["createdAt"])
export class PayAnomaly {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 20 })
  kind: PayAnomalyKind;

  /** notify / refund-notify / query. */
  @Column({ type: "varchar", length: 16 })
  source: string;

  @Column({ name: "out_trade_no", type: "varchar", length: 64, nullable: true })
  outTradeNo: string | null;

  @Column({ name: "order_id", type: "varchar", length: 36, nullable: true })
  orderId: string | null;

  /** Repeats of one notification (same id) are stored once. */
  @Index("ux_pay_anomaly_dedupe", { unique: true })
  @Column({ name: "dedupe_key", type: "varchar", length: 120 })
  dedupeKey: string;

  @Column({ type: "simple-json" })
  detail: Record<string, unknown>;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

export interface ReconciliationMismatch {
  kind: "missing_local" | "missing_remote" | "amount_mismatch" | "state_mismatch" | "refund_missing_local" | "refund_missing_remote" | "refund_amount_mismatch";
  outTradeNo: string;
  outRefundNo?: string | null;
  localFen?: number | null;
  remoteFen?: number | null;
  localState?: string | null;
  remoteState?: string | null;
}

/** One day's comparison of our orders with the WeChat Pay trade bill; re-running a day replaces it. */
@Entity("pay_reconciliation")
export class PayReconciliation {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** YYYY-MM-DD, China day. */
  @Index("ux_pay_reconciliation_date", { unique: true })
  @Column({ name: "bill_date", type: "varchar", length: 10 })
  billDate: string;

  /** ok | mismatch | no_bill (WeChat has no bill for the day yet). */
  @Column({ type: "varchar", length: 10 })
  status: string;

  @Column({ name: "local_count", type: "int" })
  localCount: number;

  @Column({ name: "local_fen", type: "int" })
  localFen: number;

  @Column({ name: "remote_count", type: "int" })
  remoteCount: number;

  @Column({ name: "remote_fen", type: "int" })
  remoteFen: number;

  @Column({ type: "simple-json" })
  mismatches: ReconciliationMismatch[];

  /** "job" or the admin's agent id. */
  @Column({ name: "run_by", type: "varchar", length: 36 })
  runBy: string;

  @Column({ name: "ran_at", type: "datetime", precision: 3 })
  ranAt: Date;
}
