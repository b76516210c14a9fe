import { fanGet, fanPost } from "../../api";

/** The fan payment API (docs/api/payments.md). Money is integer fen; the server decides every amount. */

export type PayPurpose = "bill" | "topup" | "application";
export type OrderStatus = "pending" | "paid" | "closed";

export interface PayOrder {
  id: string;
  outTradeNo: string;
  purpose: PayPurpose;
  description: string;
  amountFen: number;
  status: OrderStatus;
  customerNumber: string | null;
  accountId: string | null;
  billMonth: string | null;
  billMonths: string[];
  applicationId: string | null;
  credited: boolean;
  refundedFen: number;
  createdAt: string;
  expiresAt: string;
  paidAt: string | null;
}

export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: "RSA";
  paySign: string;
}

export interface PayOptions {
  enabled: boolean;
  sandbox: boolean;
  topupMinFen: number;
  topupMaxFen: number;
  expiryMinutes: number;
}

export interface BillQuote {
  accountId: string;
  customerNumber: string;
  address: string;
  amountFen: number;
  months: string[];
  bills: { month: string; monthLabel: string; amountFen: number }[];
}

export type OrderInput = { purpose: "bill"; accountId: string; month: string } | { purpose: "topup"; accountId: string; amountFen: number } | { purpose: "application"; applicationId: string };

export const payApi = {
  options: () => fanGet<PayOptions>("/payments/options"),
  billQuote: (accountId: string, month: string) => fanGet<BillQuote>(`/payments/bills/${encodeURIComponent(accountId)}/${encodeURIComponent(month)}`),
  applicationQuote: (id: string) =>
    fanGet<{ applicationId: string; amountFen: number; description: string; customerNumber: string | null; paid: boolean }>(`/payments/applications/${encodeURIComponent(id)}`),
  createOrder: (input: OrderInput) => fanPost<{ order: PayOrder; payParams: JsapiPayParams; sandbox: boolean }>("/payments/orders", input),
  order: async (id: string) => (await fanGet<{ order: PayOrder }>(`/payments/orders/${encodeURIComponent(id)}`)).order,
  history: (before?: string) => fanGet<{ orders: PayOrder[]; nextBefore: string | null }>("/payments", { before }),
};

export const PURPOSE_LABEL: Record<PayPurpose, string> = { bill: "水费", topup: "预存", application: "业务费用" };

interface WeixinJSBridge {
  invoke(name: "getBrandWCPayRequest", params: JsapiPayParams, callback: (result: { err_msg: string }) => void): void;
}

/**
 * Opens WeChat's cashier. Resolves with what it said ("ok" / "cancel" / "fail"); "ok" is NOT proof of
 * payment (WeChat says so itself): the page then polls our order status.
 */
export function openWechatCashier(params: JsapiPayParams): Promise<"ok" | "cancel" | "fail"> {
  return new Promise((resolve) => {
    const invoke = () => {
      const bridge = (window as unknown as { WeixinJSBridge?: WeixinJSBridge }).WeixinJSBridge;
      if (!bridge) return resolve("fail");
      bridge.invoke("getBrandWCPayRequest", params, (result) => {
        const outcome = result.err_msg.split(":")[1];
        resolve(outcome === "ok" ? "ok" : outcome === "cancel" ? "cancel" : "fail");
      });
    };
    if ((window as unknown as { WeixinJSBridge?: unknown }).WeixinJSBridge) invoke();
    else document.addEventListener("WeixinJSBridgeReady", invoke, { once: true });
    // Outside WeChat the bridge never arrives.
    setTimeout(() => resolve("fail"), 10_000);
  });
}

/** Sandbox only: the fake WeChat Pay marks the order paid and sends its signed notification to us. */
export async function sandboxConfirm(outTradeNo: string): Promise<void> {
  const response = await fetch("/sandbox/pay/confirm", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ outTradeNo }),
  });
  if (!response.ok) throw new Error(`模拟支付失败（${response.status}）`);
}

/** Polls our own order until it is no longer pending (or the time is up); the server may ask WeChat meanwhile. */
export async function pollOrder(id: string, options: { timeoutMs?: number; intervalMs?: number; onUpdate?: (order: PayOrder) => void } = {}): Promise<PayOrder> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let order = await payApi.order(id);
  options.onUpdate?.(order);
  while (order.status === "pending" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1500));
    order = await payApi.order(id);
    options.onUpdate?.(order);
  }
  return order;
}
