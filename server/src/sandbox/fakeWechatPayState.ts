import crypto, { type KeyObject } from "node:crypto";
import zlib from "node:zlib";
import type { Clock } from "../infra/clock";
import type { Logger } from "../infra/logger";
import { encryptAes256Gcm, normalizeSerial, randomNonce, responseMessage, signSha256WithRsa, unixSeconds } from "../wechat/pay/payCrypto";
import { formatChinaTime, formatTradeBill, rfc3339China, type TradeBillSourceRow } from "../wechat/pay/tradeBill";
import { FakePayNotifier, renameAead } from "./fakeWechatPayNotifier";
import { SANDBOX_PAY } from "./sandboxPayKeys";

/**
 * The state of the fake WeChat Pay: orders, refunds, bills and the notifications it sends — signed with
 * the TEST-ONLY WeChat Pay keys (public-key or platform-certificate mode) and encrypted with the test
 * APIv3 key exactly as WeChat does, so the real verifier and decryptor run against it.
 */

export type FakeKeyMode = "public_key" | "platform_certificate";
export type FakeTradeState = "NOTPAY" | "SUCCESS" | "REFUND" | "CLOSED";

export interface FakeOrder {
  prepayId: string;
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  totalFen: number;
  openid: string;
  attach?: string;
  notifyUrl: string;
  timeExpire: Date | null;
  createdAt: Date;
  tradeState: FakeTradeState;
  transactionId: string | null;
  successTime: Date | null;
  refundedFen: number;
}

export interface FakeRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
  status: "PROCESSING" | "SUCCESS" | "CLOSED" | "ABNORMAL";
  createdAt: Date;
  successTime: Date | null;
}

/** How to deliver one notification (tests break them on purpose). */
export interface FakeNotifyOptions {
  /** Send it this many times at once (WeChat may deliver the same notification repeatedly). Default 1. */
  duplicates?: number;
  /** Lose it: the order is paid but nobody is told (the query job must find out). */
  drop?: boolean;
  /** Claim this amount.total in the (correctly signed) resource instead of the real one. */
  amountFen?: number;
  /** Break it: a flipped signature, WeChat's probe signature, a 10-minute-old timestamp, a wrong GCM tag. */
  tamper?: "signature" | "probe" | "stale" | "ciphertext";
  /** Which key signs it; default the fake's notifyKeyMode. */
  keyMode?: FakeKeyMode;
}

export interface FakeNotifyDelivery {
  id: string;
  eventType: string;
  url: string;
  status: number | null;
  body: string;
  error?: string;
}

export interface FakeWechatPayOptions {
  clock: Clock;
  /** The official account the merchant is bound to (requests with another appid fail). */
  appId: string;
  mchId?: string;
  apiV3Key?: string;
  /** Default key for notifications; responses follow the request's Wechatpay-Serial like WeChat. */
  notifyKeyMode?: FakeKeyMode;
  /** Refunds turn SUCCESS (and notify) on their own after this many ms; null = only via settleRefund(). */
  refundSettleMs?: number | null;
  /** Re-sends unacknowledged notifications after these delays (WeChat: 15 s, 15 s, 30 s, 3 min, …); default none. */
  retryDelaysMs?: number[];
  /** Rewrites notify URLs before POSTing (sandbox: the public URL may not be reachable from the server itself). */
  rewriteNotifyUrl?: (url: string) => string;
  fetchImpl?: typeof fetch;
  logger?: Logger;
}

export interface FakePayFault {
  status: number;
  code: string;
  message?: string;
  /** Delay before answering (timeouts). */
  delayMs?: number;
}

export class FakePayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeWechatPayState {
  readonly appId: string;
  readonly mchId: string;
  readonly apiV3Key: string;
  readonly merchantSerial = SANDBOX_PAY.merchantSerial;
  readonly merchantPublicKey: KeyObject = new crypto.X509Certificate(SANDBOX_PAY.merchantCertificatePem).publicKey;
  readonly publicKeyId = SANDBOX_PAY.publicKeyId;
  readonly platformSerial = SANDBOX_PAY.platformSerial;
  notifyKeyMode: FakeKeyMode;
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  /** Every API request by "METHOD /path" (no query), for assertions. */
  readonly requestCounts = new Map<string, number>();
  readonly billDownloads = new Map<string, { bytes: Buffer; expiresAt: number }>();
  private readonly faults: Array<{ route: string } & FakePayFault> = [];
  private readonly prepayIndex = new Map<string, string>();
  private readonly publicKeyPrivate = crypto.createPrivateKey(SANDBOX_PAY.wechatpayPrivateKeyPem);
  private readonly platformPrivate = crypto.createPrivateKey(SANDBOX_PAY.platformPrivateKeyPem);
  private sequence = 0;

  private readonly notifier: FakePayNotifier;

  constructor(readonly options: FakeWechatPayOptions) {
    this.notifier = new FakePayNotifier(this, options);
    this.appId = options.appId;
    this.mchId = options.mchId ?? SANDBOX_PAY.mchId;
    this.apiV3Key = options.apiV3Key ?? SANDBOX_PAY.apiV3Key;
    this.notifyKeyMode = options.notifyKeyMode ?? "public_key";
  }

  get clock(): Clock {
    return this.options.clock;
  }

  // ---- faults and bookkeeping ----

  /** The next request to `route` ("POST /v3/pay/transactions/jsapi", prefix match) fails like this. */
  failNext(route: string, fault: FakePayFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ route, ...fault });
  }

  takeFault(route: string): FakePayFault | undefined {
    const index = this.faults.findIndex((fault) => route.startsWith(fault.route));
    return index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
  }

  countRequest(route: string): void {
    this.requestCounts.set(route, (this.requestCounts.get(route) ?? 0) + 1);
  }

  /** Every notification POST made, in order. */
  get deliveries(): FakeNotifyDelivery[] {
    return this.notifier.deliveries;
  }

  /** Cancels pending refund settlements and notification retries. */
  stop(): void {
    this.notifier.stop();
  }

  // ---- signing ----

  /** Headers for a signed answer; key by the request's Wechatpay-Serial (PUB_KEY_ID → public key). */
  signResponse(body: string, requestSerial: string | undefined): Record<string, string> {
    return this.signedHeaders(body, requestSerial === this.publicKeyId ? "public_key" : "platform_certificate");
  }

  signedHeaders(body: string, mode: FakeKeyMode, at: Date = this.clock.now()): Record<string, string> {
    const timestamp = unixSeconds(at);
    const nonce = randomNonce();
    const [key, serial] = mode === "public_key" ? [this.publicKeyPrivate, this.publicKeyId] : [this.platformPrivate, this.platformSerial];
    return {
      "Wechatpay-Timestamp": timestamp,
      "Wechatpay-Nonce": nonce,
      "Wechatpay-Signature": signSha256WithRsa(key, responseMessage(timestamp, nonce, body)),
      "Wechatpay-Serial": serial,
      "Request-ID": crypto.randomUUID(),
    };
  }

  /** GET /v3/certificates: the platform certificate, encrypted with the APIv3 key. */
  certificatesBody(): Record<string, unknown> {
    const certificate = new crypto.X509Certificate(SANDBOX_PAY.platformCertificatePem);
    return {
      data: [
        {
          serial_no: normalizeSerial(certificate.serialNumber),
          effective_time: rfc3339China(new Date(certificate.validFrom)),
          expire_time: rfc3339China(new Date(certificate.validTo)),
          encrypt_certificate: {
            algorithm: "AEAD_AES_256_GCM",
            ...renameAead(encryptAes256Gcm(this.apiV3Key, SANDBOX_PAY.platformCertificatePem, "certificate")),
          },
        },
      ],
    };
  }

  // ---- orders ----

  createOrder(input: Omit<FakeOrder, "prepayId" | "createdAt" | "tradeState" | "transactionId" | "successTime" | "refundedFen">): FakeOrder {
    const existing = this.orders.get(input.outTradeNo);
    if (existing) {
      if (existing.tradeState === "SUCCESS" || existing.tradeState === "REFUND") throw new FakePayError(400, "ORDER_PAID", "该订单已支付");
      if (existing.tradeState === "CLOSED") throw new FakePayError(400, "ORDER_CLOSED", "订单已关闭");
      const same = existing.totalFen === input.totalFen && existing.description === input.description && existing.openid === input.openid;
      if (!same) throw new FakePayError(400, "INVALID_REQUEST", "201 商户订单号重复");
      // Same parameters before expiry: a fresh prepay_id for the same order (as WeChat does).
      existing.prepayId = this.newPrepayId();
      this.prepayIndex.set(existing.prepayId, existing.outTradeNo);
      return existing;
    }
    const order: FakeOrder = {
      ...input,
      prepayId: this.newPrepayId(),
      createdAt: this.clock.now(),
      tradeState: "NOTPAY",
      transactionId: null,
      successTime: null,
      refundedFen: 0,
    };
    this.orders.set(order.outTradeNo, order);
    this.prepayIndex.set(order.prepayId, order.outTradeNo);
    return order;
  }

  orderByPrepayId(prepayId: string): FakeOrder | undefined {
    const outTradeNo = this.prepayIndex.get(prepayId);
    return outTradeNo ? this.orders.get(outTradeNo) : undefined;
  }

  closeOrder(outTradeNo: string): void {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new FakePayError(404, "ORDER_NOT_EXIST", "订单不存在");
    if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND") throw new FakePayError(400, "ORDER_PAID", "订单已支付");
    order.tradeState = "CLOSED";
  }

  /**
   * The fan pays (the H5 confirm sheet, or a test): the order turns SUCCESS and TRANSACTION.SUCCESS goes to
   * its notify_url. Paying an already paid order changes nothing but notifies again (a redelivery).
   */
  async payOrder(ref: { outTradeNo?: string; prepayId?: string }, options: FakeNotifyOptions = {}): Promise<{ order: FakeOrder; deliveries: FakeNotifyDelivery[] }> {
    const order = ref.prepayId ? this.orderByPrepayId(ref.prepayId) : ref.outTradeNo ? this.orders.get(ref.outTradeNo) : undefined;
    if (!order) throw new FakePayError(404, "ORDER_NOT_EXIST", "订单不存在");
    if (order.tradeState === "CLOSED") throw new FakePayError(400, "ORDER_CLOSED", "订单已关闭");
    if (order.tradeState === "NOTPAY") {
      if (order.timeExpire && this.clock.now().getTime() > order.timeExpire.getTime()) {
        throw new FakePayError(400, "ORDER_CLOSED", "订单已过支付期限");
      }
      order.tradeState = "SUCCESS";
      order.transactionId = this.newTransactionId();
      order.successTime = this.clock.now();
    }
    const resource = { ...this.transactionBody(order), ...(options.amountFen !== undefined ? { amount: { ...this.transactionBody(order).amount, total: options.amountFen, payer_total: options.amountFen } } : {}) };
    const deliveries = await this.notifier.notify(order.notifyUrl, "TRANSACTION.SUCCESS", "支付成功", "transaction", resource, options);
    return { order, deliveries };
  }

  /** The order as GET /v3/pay/transactions/out-trade-no/{no} answers it (and as the notify resource). */
  transactionBody(order: FakeOrder): Record<string, unknown> & { amount: Record<string, unknown> } {
    const paid = order.tradeState === "SUCCESS" || order.tradeState === "REFUND";
    const descriptions: Record<FakeTradeState, string> = { NOTPAY: "订单未支付", SUCCESS: "支付成功", REFUND: "订单发生过退款", CLOSED: "订单已关闭" };
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid ? { transaction_id: order.transactionId, bank_type: "OTHERS", success_time: rfc3339China(order.successTime!) } : {}),
      trade_type: "JSAPI",
      trade_state: order.tradeState,
      trade_state_desc: descriptions[order.tradeState],
      attach: order.attach ?? "",
      payer: { openid: order.openid },
      amount: paid ? { total: order.totalFen, payer_total: order.totalFen, currency: "CNY", payer_currency: "CNY" } : { total: order.totalFen, currency: "CNY", payer_currency: "CNY" },
    };
  }

  // ---- refunds ----

  createRefund(input: { outTradeNo: string; outRefundNo: string; refundFen: number; totalFen: number; reason?: string; notifyUrl?: string }): FakeRefund {
    const existing = this.refunds.get(input.outRefundNo);
    if (existing) {
      if (existing.outTradeNo !== input.outTradeNo || existing.refundFen !== input.refundFen) throw new FakePayError(400, "INVALID_REQUEST", "退款单号重复，参数与之前请求不一致");
      return existing;
    }
    const order = this.orders.get(input.outTradeNo);
    if (!order) throw new FakePayError(404, "RESOURCE_NOT_EXISTS", "订单不存在");
    if (order.tradeState !== "SUCCESS" && order.tradeState !== "REFUND") throw new FakePayError(400, "INVALID_REQUEST", "订单未支付，不能退款");
    if (input.totalFen !== order.totalFen) throw new FakePayError(400, "PARAM_ERROR", "订单金额与原订单不一致");
    if (input.refundFen <= 0 || order.refundedFen + input.refundFen > order.totalFen) throw new FakePayError(403, "NOT_ENOUGH", "退款金额超过订单可退金额");
    order.refundedFen += input.refundFen;
    order.tradeState = "REFUND";
    const refund: FakeRefund = {
      refundId: `5030${String(this.clock.now().getTime()).slice(-10)}${String(++this.sequence).padStart(14, "0")}`,
      outRefundNo: input.outRefundNo,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId!,
      refundFen: input.refundFen,
      totalFen: order.totalFen,
      reason: input.reason,
      notifyUrl: input.notifyUrl,
      status: "PROCESSING",
      createdAt: this.clock.now(),
      successTime: null,
    };
    this.refunds.set(refund.outRefundNo, refund);
    const settleMs = this.options.refundSettleMs === undefined ? 50 : this.options.refundSettleMs;
    if (settleMs !== null) this.notifier.later(settleMs, () => this.settleRefund(refund.outRefundNo).then(() => undefined));
    return refund;
  }

  /** The bank has paid the fan back: SUCCESS (or ABNORMAL/CLOSED) and REFUND.* to the refund's notify_url. */
  async settleRefund(outRefundNo: string, status: "SUCCESS" | "ABNORMAL" | "CLOSED" = "SUCCESS", options: FakeNotifyOptions = {}): Promise<FakeNotifyDelivery[]> {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) throw new FakePayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
    if (refund.status !== "PROCESSING") return [];
    refund.status = status;
    if (status === "SUCCESS") refund.successTime = this.clock.now();
    if (status === "CLOSED") {
      const order = this.orders.get(refund.outTradeNo);
      if (order) order.refundedFen -= refund.refundFen;
    }
    if (!refund.notifyUrl) return [];
    const resource = {
      mchid: this.mchId,
      out_trade_no: refund.outTradeNo,
      transaction_id: refund.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: status,
      ...(refund.successTime ? { success_time: rfc3339China(refund.successTime) } : {}),
      user_received_account: "支付用户零钱",
      amount: { total: refund.totalFen, refund: refund.refundFen, payer_total: refund.totalFen, payer_refund: refund.refundFen },
    };
    const summaries = { SUCCESS: "退款成功", ABNORMAL: "退款异常", CLOSED: "退款关闭" };
    return this.notifier.notify(refund.notifyUrl, `REFUND.${status}`, summaries[status], "refund", resource, options);
  }

  /** POST /v3/refund/domestic/refunds and GET …/{out_refund_no} answer this. */
  refundBody(refund: FakeRefund): Record<string, unknown> {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      ...(refund.successTime ? { success_time: rfc3339China(refund.successTime) } : {}),
      create_time: rfc3339China(refund.createdAt),
      status: refund.status,
      funds_account: "AVAILABLE",
      amount: {
        total: refund.totalFen,
        refund: refund.refundFen,
        payer_total: refund.totalFen,
        payer_refund: refund.refundFen,
        settlement_refund: refund.refundFen,
        settlement_total: refund.totalFen,
        discount_refund: 0,
        currency: "CNY",
      },
    };
  }

  // ---- trade bill ----

  /** The ALL bill of a China-time day: payments that succeeded and refunds started that day. */
  tradeBillText(billDate: string): string | null {
    const onDay = (at: Date | null) => at !== null && formatChinaTime(at).startsWith(billDate);
    const rows: TradeBillSourceRow[] = [];
    for (const order of this.orders.values()) {
      if (!order.transactionId || !onDay(order.successTime)) continue;
      rows.push({ tradeTime: order.successTime!, appId: order.appid, mchId: order.mchid, transactionId: order.transactionId, outTradeNo: order.outTradeNo, openid: order.openid, tradeState: "SUCCESS", totalFen: order.totalFen, description: order.description, attach: order.attach });
    }
    for (const refund of this.refunds.values()) {
      const order = this.orders.get(refund.outTradeNo);
      if (!order || !onDay(refund.createdAt) || refund.status === "CLOSED") continue;
      rows.push({ tradeTime: refund.createdAt, appId: order.appid, mchId: order.mchid, transactionId: refund.transactionId, outTradeNo: order.outTradeNo, openid: order.openid, tradeState: "REFUND", totalFen: order.totalFen, refundId: refund.refundId, outRefundNo: refund.outRefundNo, refundFen: refund.refundFen, refundStatus: refund.status, description: order.description, attach: order.attach });
    }
    if (rows.length === 0) return null;
    rows.sort((a, b) => a.tradeTime.getTime() - b.tradeTime.getTime());
    return formatTradeBill(rows);
  }

  /** Stores the gzip file for a short-lived token, like WeChat's download_url (valid 5 minutes). */
  prepareBillDownload(text: string): { token: string; hashValue: string } {
    const token = crypto.randomBytes(16).toString("hex");
    this.billDownloads.set(token, { bytes: zlib.gzipSync(Buffer.from(text, "utf8")), expiresAt: this.clock.now().getTime() + 5 * 60_000 });
    return { token, hashValue: crypto.createHash("sha1").update(text, "utf8").digest("hex") };
  }

  private newPrepayId(): string {
    return `wx${crypto.randomBytes(16).toString("hex")}`.slice(0, 36);
  }

  private newTransactionId(): string {
    const day = formatChinaTime(this.clock.now()).slice(0, 10).replace(/-/g, "");
    return `4200${String(++this.sequence).padStart(6, "0")}${day}${crypto.randomInt(10 ** 9, 10 ** 10 - 1)}`.slice(0, 28);
  }
}
