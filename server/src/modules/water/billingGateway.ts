import type { BillStatus, TierCharge } from "./billing.entity";

/**
 * The utility's billing system, behind one interface. Two implementations: the built-in one over our own
 * tables (builtinBillingGateway.ts, the embedded default and the demo) and an HTTP client of an external
 * billing system (httpBillingGateway.ts, when BILLING_API_BASE is set; contract in docs/api/billing-gateway.md).
 * Money is integer fen; volumes and readings whole m³; months "YYYY-MM".
 */

export interface BillingAccount {
  customerNumber: string;
  ownerName: string;
  address: string;
  area: string;
  balanceFen: number;
}

export interface MeterReading {
  reading: number;
  readAt: Date;
}

export interface Bill {
  month: string;
  previousReading: number;
  currentReading: number;
  volumeM3: number;
  amountFen: number;
  tiers: TierCharge[];
  status: BillStatus;
  issuedAt: Date;
  paidAt: Date | null;
}

export interface PaymentRecord {
  /** The caller's idempotency key (e.g. the WeChat Pay out_trade_no): recording it again changes nothing. */
  paymentRef: string;
  amountFen: number;
  paidAt: Date;
}

export interface PaymentResult {
  paymentRef: string;
  balanceFen: number;
  /** Bill months settled by this payment (unpaid bills, oldest first, while the credit covers them). */
  settledMonths: string[];
}

export interface RefundRecord {
  /** The caller's idempotency key (e.g. the WeChat Pay out_refund_no): recording it again changes nothing. */
  refundRef: string;
  /** The payment being (partly) refunded. */
  paymentRef: string;
  /** Positive: the amount taken back from the account. */
  amountFen: number;
  refundedAt: Date;
}

export interface RefundRecordResult {
  refundRef: string;
  balanceFen: number;
  /** Bill months that are unpaid again because the refund took back what paid them (newest first). */
  reopenedMonths: string[];
}

export interface BillingGateway {
  readonly kind: "builtin" | "http";
  findAccount(customerNumber: string): Promise<BillingAccount | null>;
  /** True when the owner name and the query password both match the account (false for an unknown account). */
  checkOwner(customerNumber: string, ownerName: string, queryPassword: string): Promise<boolean>;
  /** Most recent first. */
  meterReadings(customerNumber: string, limit: number): Promise<MeterReading[]>;
  /** The last `months` monthly bills, most recent first. */
  bills(customerNumber: string, months: number): Promise<Bill[]>;
  bill(customerNumber: string, month: string): Promise<Bill | null>;
  balance(customerNumber: string): Promise<number | null>;
  recordPayment(customerNumber: string, payment: PaymentRecord): Promise<PaymentResult>;
  /**
   * Takes a refunded amount back from the account (idempotent per refundRef): the balance goes down and,
   * where it would go below zero, bills the payment settled are reopened, newest first.
   */
  recordRefund(customerNumber: string, refund: RefundRecord): Promise<RefundRecordResult>;
}

/** The billing system could not answer (down, timeout, malformed answer): callers show 503 and change nothing. */
export class BillingUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** A request the billing system refused (e.g. a payment for an unknown account). */
export class BillingRejectedError extends Error {}

/** Where the water module registers the gateway in context.services. */
export const BILLING_GATEWAY_SERVICE = "water.billingGateway";
