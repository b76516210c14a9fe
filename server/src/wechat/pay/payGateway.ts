/**
 * The project's own view of WeChat Pay v3 (JSAPI, direct merchant). The payments module codes against
 * this interface only; the implementation (wechatPayGateway.ts) wraps the npm package wechatpay-node-v3
 * for request signing and transport, and the sandbox fake WeChat Pay answers the same HTTP API.
 * Money is integer fen everywhere, including the trade bill (whose CSV is in yuan).
 */

export type TradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

export interface JsapiOrderInput {
  /** [A-Za-z0-9_-]{6,32}, unique per merchant forever. */
  outTradeNo: string;
  /** Shown on the fan's bill; at most 127 UTF-8 bytes. */
  description: string;
  amountFen: number;
  /** The fan's openid under the official account's appid. */
  payerOpenid: string;
  /** Last moment the fan can pay (time_expire). */
  expiresAt: Date;
  attach?: string;
  /** Public HTTPS URL without a query string. */
  notifyUrl: string;
}

/** The arguments of WeixinJSBridge getBrandWCPayRequest, all strings. */
export interface JsapiPayParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  /** "prepay_id=<prepay_id>" */
  package: string;
  signType: "RSA";
  paySign: string;
}

export interface PayTransaction {
  appid: string;
  mchid: string;
  outTradeNo: string;
  transactionId: string | null;
  tradeState: TradeState;
  tradeStateDesc: string | null;
  /** amount.total in fen; null when WeChat did not report it (e.g. NOTPAY may omit it). */
  amountFen: number | null;
  payerOpenid: string | null;
  successTime: Date | null;
  attach: string | null;
}

export interface RefundInput {
  outTradeNo: string;
  /** Merchant-unique; reuse the same one when retrying the same refund. */
  outRefundNo: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl: string;
}

export type RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL";

export interface RefundResult {
  outRefundNo: string;
  outTradeNo: string;
  refundId: string | null;
  status: RefundStatus;
  refundFen: number;
  successTime: Date | null;
}

/** One row of the daily trade bill (bill_type ALL), amounts converted to fen. */
export interface TradeBillRow {
  tradeTime: Date;
  transactionId: string;
  outTradeNo: string;
  /** As written in the bill: SUCCESS, REFUND, … */
  tradeState: string;
  amountFen: number;
  refundFen: number;
  outRefundNo: string | null;
}

export interface PayGateway {
  readonly appId: string;
  readonly mchId: string;
  createJsapiOrder(input: JsapiOrderInput): Promise<JsapiPayParams>;
  /** null: ORDER_NOT_EXIST. */
  queryOrder(outTradeNo: string): Promise<PayTransaction | null>;
  closeOrder(outTradeNo: string): Promise<void>;
  refund(input: RefundInput): Promise<RefundResult>;
  /** null: RESOURCE_NOT_EXISTS. */
  queryRefund(outRefundNo: string): Promise<RefundResult | null>;
  /** billDate YYYY-MM-DD (China time); null: no bill for that day (yet). */
  tradeBill(billDate: string): Promise<TradeBillRow[] | null>;
}

/**
 * A failed WeChat Pay call. status: HTTP status, undefined for network errors/timeouts. code: WeChat's
 * error code (PARAM_ERROR, ORDER_CLOSED, …) or a local one (NETWORK, TIMEOUT, BAD_RESPONSE,
 * BAD_RESPONSE_SIGNATURE). retryable: the same call with the same parameters may succeed later
 * (network errors, 5xx, SYSTEM_ERROR, FREQUENCY_LIMITED, …).
 */
export class PayApiError extends Error {
  status: number | undefined;
  code: string;
  retryable: boolean;
  constructor(message: string, options: { status?: number; code: string; retryable: boolean }) {
    super(message);
    this.name = "PayApiError";
    this.status = options.status;
    this.code = options.code;
    this.retryable = options.retryable;
  }
}
