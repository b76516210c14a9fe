import { ApiClient, API_ROOT, type Query } from "./ApiClient";

export type PayPurpose = "bill" | "topup" | "application";
export type PayOrderStatus = "pending" | "paid" | "closed";
export type PayRefundStatus = "requested" | "processing" | "success" | "closed" | "abnormal" | "failed";

export interface PayOrderView {
  id: string;
  outTradeNo: string;
  transactionId: string | null;
  purpose: PayPurpose;
  description: string;
  amountFen: number;
  refundedFen: number;
  status: PayOrderStatus;
  tradeState: string | null;
  fanOpenid: string;
  customerNumber: string | null;
  billMonth: string | null;
  billMonths: string[];
  settledMonths: string[];
  applicationId: string | null;
  paidVia: string | null;
  credited: boolean;
  creditedAt: string | null;
  creditAttempts: number;
  creditError: string | null;
  needsRefund: boolean;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
  closedAt: string | null;
}

export interface PayRefundView {
  id: string;
  orderId: string;
  outRefundNo: string;
  refundId: string | null;
  amountFen: number;
  reason: string;
  status: PayRefundStatus;
  requestedBy: string;
  error: string | null;
  succeededAt: string | null;
  accountSettled: boolean;
  createdAt: string;
}

export interface PayAnomalyView {
  id: string;
  kind: string;
  source: string;
  outTradeNo: string | null;
  orderId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
}

export interface OrderDetail {
  order: PayOrderView;
  refundableFen: number;
  refunds: PayRefundView[];
  anomalies: PayAnomalyView[];
}

export interface DailyTotal {
  date: string;
  paidCount: number;
  paidFen: number;
  billFen: number;
  topupFen: number;
  applicationFen: number;
  refundCount: number;
  refundFen: number;
  netFen: number;
}

export interface DailyTotals {
  from: string;
  to: string;
  days: DailyTotal[];
  total: { paidCount: number; paidFen: number; refundCount: number; refundFen: number; netFen: number };
}

export interface ReconciliationMismatch {
  kind: string;
  outTradeNo: string;
  outRefundNo?: string | null;
  localFen?: number | null;
  remoteFen?: number | null;
  localState?: string | null;
  remoteState?: string | null;
}

export interface ReconciliationView {
  billDate: string;
  status: "ok" | "mismatch" | "no_bill";
  localCount: number;
  localFen: number;
  remoteCount: number;
  remoteFen: number;
  mismatches: ReconciliationMismatch[];
  runBy: string;
  ranAt: string;
}

export interface PaymentSettings {
  expiryMinutes: number;
  topupMinFen: number;
  topupMaxFen: number;
  reconcileEnabled: boolean;
  /** Read-only: WeChat Pay configured (or the sandbox). */
  payEnabled: boolean;
  sandbox: boolean;
}

export type PaymentSettingsInput = Omit<PaymentSettings, "payEnabled" | "sandbox">;

export interface OrderFilter {
  status?: PayOrderStatus | "";
  purpose?: PayPurpose | "";
  from?: string;
  to?: string;
  customerNumber?: string;
  outTradeNo?: string;
  attention?: boolean;
  before?: string;
  limit?: number;
}

/** Payments for supervisors (read) and admins (refunds, reconciliation): server/src/http/console/payments.ts. */
export class PaymentsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/payments`);
  }

  orders(filter: OrderFilter): Promise<{ orders: PayOrderView[]; nextBefore: string | null }> {
    const { attention, ...rest } = filter;
    return this.get("/orders", { ...rest, attention: attention ? "1" : undefined } as Query);
  }

  order(id: string): Promise<OrderDetail> {
    return this.get(`/orders/${id}`);
  }

  async refund(orderId: string, input: { amountFen: number; reason: string }): Promise<PayRefundView> {
    return (await this.post<{ refund: PayRefundView }>(`/orders/${orderId}/refunds`, input)).refund;
  }

  daily(from?: string, to?: string): Promise<DailyTotals> {
    return this.get("/daily", { from, to });
  }

  anomalies(before?: string): Promise<{ anomalies: PayAnomalyView[]; nextBefore: string | null }> {
    return this.get("/anomalies", { before });
  }

  async reconciliations(): Promise<ReconciliationView[]> {
    return (await this.get<{ reconciliations: ReconciliationView[] }>("/reconciliations")).reconciliations;
  }

  settings(): Promise<PaymentSettings> {
    return this.get("/settings");
  }

  saveSettings(input: PaymentSettingsInput): Promise<PaymentSettings> {
    return this.put("/settings", input);
  }

  async reconcile(date: string): Promise<ReconciliationView> {
    return (await this.post<{ reconciliation: ReconciliationView }>("/reconciliations", { date })).reconciliation;
  }
}

export const paymentsApi = new PaymentsApi();
