import { PayApiError, type PayTransaction, type RefundResult, type RefundStatus, type TradeState } from "./payGateway";

/** WeChat's snake_case transaction and refund bodies (notification resources and API answers) as our types. */

/** Decrypted resource of TRANSACTION.SUCCESS, and the body of the order query (WeChat's snake_case). */
export interface TransactionResource {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  bank_type?: string;
  attach?: string;
  success_time?: string;
  payer?: { openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string; payer_currency?: string };
}

/** Decrypted resource of REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED. */
export interface RefundResource {
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  out_refund_no: string;
  refund_id?: string;
  refund_status: string;
  success_time?: string;
  user_received_account?: string;
  amount: { total: number; refund: number; payer_total?: number; payer_refund?: number };
}

const TRADE_STATES = new Set<TradeState>(["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]);
const REFUND_STATUSES = new Set<RefundStatus>(["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"]);

/** A TRANSACTION.* resource or an order query body as our PayTransaction; throws PayApiError when malformed. */
export function toPayTransaction(resource: TransactionResource): PayTransaction {
  if (!isRecord(resource) || typeof resource.out_trade_no !== "string" || !TRADE_STATES.has(resource.trade_state as TradeState)) {
    throw badResponse(`unexpected transaction: trade_state ${String((resource as { trade_state?: unknown })?.trade_state)}`);
  }
  const total = resource.amount?.total;
  return {
    appid: String(resource.appid ?? ""),
    mchid: String(resource.mchid ?? ""),
    outTradeNo: resource.out_trade_no,
    transactionId: resource.transaction_id || null,
    tradeState: resource.trade_state as TradeState,
    tradeStateDesc: resource.trade_state_desc ?? null,
    amountFen: typeof total === "number" && Number.isSafeInteger(total) ? total : null,
    payerOpenid: resource.payer?.openid || null,
    successTime: parseTime(resource.success_time),
    attach: resource.attach ?? null,
  };
}

/** A REFUND.* resource, or a refund API body (status in `status` there), as our RefundResult. */
export function toRefundResult(resource: RefundResource | (Omit<RefundResource, "refund_status"> & { status: string })): RefundResult {
  const status = "refund_status" in resource ? resource.refund_status : resource.status;
  if (!isRecord(resource) || typeof resource.out_refund_no !== "string" || !REFUND_STATUSES.has(status as RefundStatus)) {
    throw badResponse(`unexpected refund: status ${String(status)}`);
  }
  const refund = resource.amount?.refund;
  if (typeof refund !== "number" || !Number.isSafeInteger(refund)) throw badResponse("refund without amount.refund");
  return {
    outRefundNo: resource.out_refund_no,
    outTradeNo: String(resource.out_trade_no ?? ""),
    refundId: resource.refund_id || null,
    status: status as RefundStatus,
    refundFen: refund,
    successTime: parseTime(resource.success_time),
  };
}


function parseTime(value: string | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

function badResponse(message: string): PayApiError {
  return new PayApiError(message, { code: "BAD_RESPONSE", retryable: false });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
