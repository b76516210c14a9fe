import { z } from "zod";
import { parseServiceUrl } from "../../infra/serviceUrl";
import {
  BillingRejectedError,
  BillingUnavailableError,
  type Bill,
  type BillingAccount,
  type BillingGateway,
  type MeterReading,
  type PaymentRecord,
  type PaymentResult,
  type RefundRecord,
  type RefundRecordResult,
} from "./billingGateway";

/**
 * The external billing system over HTTP (BILLING_API_BASE); the contract is docs/api/billing-gateway.md.
 * Every answer is validated: a malformed one is treated like an outage (BillingUnavailableError), never
 * shown to a fan half-read. Credentials in the base URL (https://user:pass@host/…) are sent as Basic auth.
 */

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: "expected an ISO 8601 time" })
  .transform((value) => new Date(value));
const fen = z.number().int();
const m3 = z.number().int().min(0);

const accountSchema = z.object({
  customerNumber: z.string().min(1),
  ownerName: z.string().min(1),
  address: z.string(),
  area: z.string(),
  balanceFen: fen,
});
const tierSchema = z.object({ tier: z.number().int(), label: z.string(), volumeM3: m3, unitPriceFen: fen, amountFen: fen });
const billSchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  previousReading: m3,
  currentReading: m3,
  volumeM3: m3,
  amountFen: fen,
  tiers: z.array(tierSchema),
  status: z.enum(["paid", "unpaid"]),
  issuedAt: isoDate,
  paidAt: isoDate.nullable(),
});
const billsSchema = z.object({ bills: z.array(billSchema) });
const readingsSchema = z.object({ readings: z.array(z.object({ reading: m3, readAt: isoDate })) });
const ownerCheckSchema = z.object({ match: z.boolean() });
const paymentSchema = z.object({ paymentRef: z.string(), balanceFen: fen, settledMonths: z.array(z.string()) });
const refundSchema = z.object({ refundRef: z.string(), balanceFen: fen, reopenedMonths: z.array(z.string()) });

export interface HttpBillingGatewayOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export class HttpBillingGateway implements BillingGateway {
  readonly kind = "http" as const;
  private readonly base: string;
  private readonly authorization: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpBillingGatewayOptions) {
    ({ base: this.base, authorization: this.authorization } = parseServiceUrl(options.baseUrl));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async findAccount(customerNumber: string): Promise<BillingAccount | null> {
    return this.request("GET", this.accountPath(customerNumber), accountSchema, { notFound: null });
  }

  async checkOwner(customerNumber: string, ownerName: string, queryPassword: string): Promise<boolean> {
    const result = await this.request("POST", `${this.accountPath(customerNumber)}/owner-check`, ownerCheckSchema, { notFound: { match: false }, body: { ownerName, queryPassword } });
    return result.match;
  }

  async meterReadings(customerNumber: string, limit: number): Promise<MeterReading[]> {
    const result = await this.request("GET", `${this.accountPath(customerNumber)}/readings?limit=${limit}`, readingsSchema, { notFound: { readings: [] } });
    return result.readings;
  }

  async bills(customerNumber: string, months: number): Promise<Bill[]> {
    const result = await this.request("GET", `${this.accountPath(customerNumber)}/bills?months=${months}`, billsSchema, { notFound: { bills: [] } });
    return [...result.bills].sort((a, b) => b.month.localeCompare(a.month)).slice(0, months);
  }

  async bill(customerNumber: string, month: string): Promise<Bill | null> {
    return this.request("GET", `${this.accountPath(customerNumber)}/bills/${encodeURIComponent(month)}`, billSchema, { notFound: null });
  }

  async balance(customerNumber: string): Promise<number | null> {
    return (await this.findAccount(customerNumber))?.balanceFen ?? null;
  }

  async recordPayment(customerNumber: string, payment: PaymentRecord): Promise<PaymentResult> {
    const body = { paymentRef: payment.paymentRef, amountFen: payment.amountFen, paidAt: payment.paidAt.toISOString() };
    const result = await this.request("POST", `${this.accountPath(customerNumber)}/payments`, paymentSchema, { body });
    if (result === undefined) throw new BillingRejectedError(`unknown account ${customerNumber}`);
    return result;
  }

  async recordRefund(customerNumber: string, refund: RefundRecord): Promise<RefundRecordResult> {
    const body = { refundRef: refund.refundRef, paymentRef: refund.paymentRef, amountFen: refund.amountFen, refundedAt: refund.refundedAt.toISOString() };
    const result = await this.request("POST", `${this.accountPath(customerNumber)}/refunds`, refundSchema, { body });
    if (result === undefined) throw new BillingRejectedError(`unknown account ${customerNumber}`);
    return result;
  }

  private accountPath(customerNumber: string): string {
    return `/accounts/${encodeURIComponent(customerNumber)}`;
  }

  private async request<S extends z.ZodType, F = undefined>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    options: { body?: unknown; notFound?: F } = {},
  ): Promise<z.infer<S> | F> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.authorization) headers.authorization = this.authorization;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new BillingUnavailableError(`billing system unreachable: ${method} ${path}`, error);
    }
    if (response.status === 404) return options.notFound as F;
    if (response.status === 409 || response.status === 422) throw new BillingRejectedError(`billing system refused ${method} ${path}: ${text.slice(0, 200)}`);
    if (!response.ok) throw new BillingUnavailableError(`billing system answered ${response.status} to ${method} ${path}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new BillingUnavailableError(`billing system answered non-JSON to ${method} ${path}`, error);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new BillingUnavailableError(`billing system answered an unexpected shape to ${method} ${path}: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }
}
