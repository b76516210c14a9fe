import { setTimeout as sleep } from "node:timers/promises";
import Router from "@koa/router";
import type { RouterContext } from "@koa/router";
import getRawBody from "raw-body";
import { z } from "zod";
import { normalizeSerial, parseAuthorization, paySignMessage, requestMessage, verifySha256WithRsa } from "../wechat/pay/payCrypto";
import { FakePayError, FakeWechatPayState, type FakeNotifyOptions, type FakeWechatPayOptions } from "./fakeWechatPayState";
import { startLocalServer } from "./localServer";

export { FakePayError, FakeWechatPayState } from "./fakeWechatPayState";
export type { FakeKeyMode, FakeNotifyDelivery, FakeNotifyOptions, FakeOrder, FakePayFault, FakeRefund, FakeWechatPayOptions } from "./fakeWechatPayState";

/**
 * A stand-in for api.mch.weixin.qq.com (WeChat Pay APIv3, JSAPI direct merchant): tests start it on an
 * ephemeral port, sandbox mode mounts it under /sandbox/wechatpay-api. Like WeChat it checks our
 * Authorization signature (test merchant key), signs every answer (Wechatpay-* headers; the WeChat Pay
 * public key when the request names its PUB_KEY_ID in Wechatpay-Serial, else the platform certificate)
 * and answers errors as {code, message} with 4xx/5xx.
 */

type Handler = (ctx: RouterContext, body: Record<string, unknown>) => Promise<{ status?: number; body?: unknown } | void> | { status?: number; body?: unknown } | void;

const OUT_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;
/** WeChat rejects an Authorization more than 5 minutes off its clock. */
const AUTH_WINDOW_SECONDS = 300;

export interface FakeWechatPay {
  /** Routes relative to the API root (/v3/...); mount under any prefix. */
  router: Router;
  state: FakeWechatPayState;
}

export function createFakeWechatPay(options: FakeWechatPayOptions): FakeWechatPay {
  const state = new FakeWechatPayState(options);
  const router = new Router();

  const route = (method: "get" | "post", path: string, handler: Handler) => {
    router[method](path, async (ctx) => {
      const name = `${method.toUpperCase()} ${path}`;
      state.countRequest(name);
      const raw = method === "post" ? await getRawBody(ctx.req, { limit: "1mb", encoding: "utf8" }) : "";
      let status = 200;
      let payload: unknown;
      try {
        const fault = state.takeFault(name);
        if (fault) {
          if (fault.delayMs) await sleep(fault.delayMs);
          throw new FakePayError(fault.status, fault.code, fault.message ?? "fault injected");
        }
        checkAuthorization(ctx, state, raw);
        const body = raw ? parseJson(raw) : {};
        const reply = await handler(ctx, body);
        status = reply?.status ?? (reply?.body === undefined ? 204 : 200);
        payload = reply?.body;
      } catch (error) {
        if (!(error instanceof FakePayError)) throw error;
        status = error.status;
        payload = { code: error.code, message: error.message };
      }
      const text = payload === undefined ? "" : JSON.stringify(payload);
      ctx.set(state.signResponse(text, ctx.get("wechatpay-serial") || undefined));
      ctx.status = status;
      if (text) {
        ctx.type = "application/json; charset=utf-8";
        ctx.body = text;
      }
    });
  };

  route("post", "/v3/pay/transactions/jsapi", (_ctx, body) => {
    const amount = record(body.amount, "amount");
    const payer = record(body.payer, "payer");
    if (body.appid !== state.appId || body.mchid !== state.mchId) throw new FakePayError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
    const description = requiredString(body.description, "description");
    if (Buffer.byteLength(description, "utf8") > 127) throw new FakePayError(400, "PARAM_ERROR", "description 超过长度限制");
    const outTradeNo = requiredString(body.out_trade_no, "out_trade_no");
    if (!OUT_NO.test(outTradeNo)) throw new FakePayError(400, "PARAM_ERROR", "out_trade_no 格式错误");
    const notifyUrl = requiredString(body.notify_url, "notify_url");
    if (!/^https?:\/\/[^?#\s]+$/.test(notifyUrl)) throw new FakePayError(400, "PARAM_ERROR", "notify_url 格式错误");
    const total = amount.total;
    if (typeof total !== "number" || !Number.isSafeInteger(total) || total <= 0) throw new FakePayError(400, "PARAM_ERROR", "amount.total 必须为正整数");
    let timeExpire: Date | null = null;
    if (body.time_expire !== undefined) {
      const text = requiredString(body.time_expire, "time_expire");
      timeExpire = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})$/.test(text) ? new Date(text) : null;
      if (!timeExpire || Number.isNaN(timeExpire.getTime())) throw new FakePayError(400, "PARAM_ERROR", "time_expire 格式错误");
    }
    const order = state.createOrder({
      appid: state.appId,
      mchid: state.mchId,
      outTradeNo,
      description,
      totalFen: total,
      openid: requiredString(payer.openid, "payer.openid"),
      attach: typeof body.attach === "string" ? body.attach : undefined,
      notifyUrl,
      timeExpire,
    });
    return { body: { prepay_id: order.prepayId } };
  });

  route("get", "/v3/pay/transactions/out-trade-no/:outTradeNo", (ctx) => {
    if (ctx.query.mchid !== state.mchId) throw new FakePayError(400, "PARAM_ERROR", "mchid 与请求不符");
    const order = state.orders.get(ctx.params.outTradeNo);
    if (!order) throw new FakePayError(404, "ORDER_NOT_EXIST", "订单不存在");
    return { body: state.transactionBody(order) };
  });

  route("post", "/v3/pay/transactions/out-trade-no/:outTradeNo/close", (ctx, body) => {
    if (body.mchid !== state.mchId) throw new FakePayError(400, "PARAM_ERROR", "mchid 与请求不符");
    state.closeOrder(ctx.params.outTradeNo);
    return { status: 204 };
  });

  route("post", "/v3/refund/domestic/refunds", (_ctx, body) => {
    const amount = record(body.amount, "amount");
    const outRefundNo = requiredString(body.out_refund_no, "out_refund_no");
    if (!OUT_REFUND_NO.test(outRefundNo)) throw new FakePayError(400, "PARAM_ERROR", "out_refund_no 格式错误");
    const refundFen = amount.refund;
    const totalFen = amount.total;
    if (!Number.isSafeInteger(refundFen) || !Number.isSafeInteger(totalFen)) throw new FakePayError(400, "PARAM_ERROR", "amount 必须为整数（分）");
    const refund = state.createRefund({
      outTradeNo: requiredString(body.out_trade_no, "out_trade_no"),
      outRefundNo,
      refundFen: refundFen as number,
      totalFen: totalFen as number,
      reason: typeof body.reason === "string" ? body.reason : undefined,
      notifyUrl: typeof body.notify_url === "string" ? body.notify_url : undefined,
    });
    return { body: state.refundBody(refund) };
  });

  route("get", "/v3/refund/domestic/refunds/:outRefundNo", (ctx) => {
    const refund = state.refunds.get(ctx.params.outRefundNo);
    if (!refund) throw new FakePayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
    return { body: state.refundBody(refund) };
  });

  route("get", "/v3/bill/tradebill", (ctx) => {
    const billDate = String(ctx.query.bill_date ?? "");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) throw new FakePayError(400, "PARAM_ERROR", "bill_date 格式错误");
    if (ctx.query.bill_type !== undefined && ctx.query.bill_type !== "ALL") throw new FakePayError(400, "PARAM_ERROR", "沙箱只提供 ALL 账单");
    // Bills are made the next morning; today's (China time) is not there yet.
    const todayChina = new Date(state.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    if (billDate >= todayChina) throw new FakePayError(400, "STATEMENT_CREATING", "账单生成中");
    const text = state.tradeBillText(billDate);
    if (!text) throw new FakePayError(400, "NO_STATEMENT_EXIST", "请求的账单文件不存在");
    const { token, hashValue } = state.prepareBillDownload(text);
    // Absolute on WeChat's host, as WeChat answers; the client sends it to its configured API base.
    return { body: { hash_type: "SHA1", hash_value: hashValue, download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${token}` } };
  });

  // Not a signed answer (WeChat's download carries no Wechatpay-* headers): the SHA1 above vouches for it.
  router.get("/v3/billdownload/file", (ctx) => {
    state.countRequest("GET /v3/billdownload/file");
    try {
      checkAuthorization(ctx, state, "");
    } catch (error) {
      if (!(error instanceof FakePayError)) throw error;
      ctx.status = error.status;
      ctx.body = { code: error.code, message: error.message };
      return;
    }
    const file = state.billDownloads.get(String(ctx.query.token ?? ""));
    if (!file || file.expiresAt < state.clock.now().getTime()) {
      ctx.status = 400;
      ctx.body = { code: "INVALID_REQUEST", message: "下载链接已过期" };
      return;
    }
    ctx.type = "application/octet-stream";
    ctx.body = file.bytes;
  });

  route("get", "/v3/certificates", () => ({ body: state.certificatesBody() }));

  return { router, state };
}

/** Checks WECHATPAY2-SHA256-RSA2048 against the test merchant's certificate; 401 SIGN_ERROR like WeChat. */
function checkAuthorization(ctx: RouterContext, state: FakeWechatPayState, rawBody: string): void {
  const auth = parseAuthorization(ctx.get("authorization"));
  if (!auth || !auth.mchid || !auth.nonce_str || !auth.timestamp || !auth.serial_no || !auth.signature) {
    throw new FakePayError(401, "SIGN_ERROR", "Authorization 缺失或格式错误");
  }
  if (!ctx.get("user-agent")) throw new FakePayError(400, "PARAM_ERROR", "缺少 User-Agent");
  if (auth.mchid !== state.mchId) throw new FakePayError(401, "SIGN_ERROR", "商户号与签名不符");
  if (normalizeSerial(auth.serial_no) !== normalizeSerial(state.merchantSerial)) throw new FakePayError(401, "SIGN_ERROR", "商户证书序列号有误");
  if (Math.abs(state.clock.now().getTime() / 1000 - Number(auth.timestamp)) > AUTH_WINDOW_SECONDS) {
    throw new FakePayError(401, "SIGN_ERROR", "签名时间戳已过期");
  }
  // Signed: the path from /v3 on (whatever prefix the fake is mounted under) and the query.
  const url = ctx.originalUrl;
  const signedPath = url.slice(url.indexOf("/v3/"));
  const message = requestMessage(ctx.method, signedPath, auth.timestamp, auth.nonce_str, rawBody);
  if (!verifySha256WithRsa(state.merchantPublicKey, message, auth.signature)) throw new FakePayError(401, "SIGN_ERROR", "签名错误");
}

function parseJson(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new FakePayError(400, "PARAM_ERROR", "请求体不是合法的 JSON");
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new FakePayError(400, "PARAM_ERROR", `缺少参数 ${name}`);
}

function requiredString(value: unknown, name: string): string {
  if (typeof value === "string" && value !== "") return value;
  throw new FakePayError(400, "PARAM_ERROR", `缺少参数 ${name}`);
}

/** Runs the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeWechatPay(options: FakeWechatPayOptions): Promise<{ url: string; state: FakeWechatPayState; close(): Promise<void> }> {
  const local = await startLocalServer();
  const fake = createFakeWechatPay(options);
  local.serve(fake.router);
  return {
    url: local.url,
    state: fake.state,
    close: async () => {
      fake.state.stop();
      await local.close();
    },
  };
}

// ---- sandbox controls (the H5 confirm sheet and tests) ----

const payParamsSchema = z.object({
  appId: z.string(),
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string().regex(/^prepay_id=.+$/),
  signType: z.literal("RSA"),
  paySign: z.string(),
});

const confirmSchema = z
  .object({
    prepayId: z.string().min(1).max(64).optional(),
    outTradeNo: z.string().min(1).max(32).optional(),
    /** The getBrandWCPayRequest arguments as the page got them: checked like WeChat's cashier does. */
    payParams: payParamsSchema.optional(),
    duplicates: z.number().int().min(1).max(20).optional(),
    drop: z.boolean().optional(),
    amountFen: z.number().int().optional(),
    tamper: z.enum(["signature", "probe", "stale", "ciphertext"]).optional(),
    keyMode: z.enum(["public_key", "platform_certificate"]).optional(),
  })
  .refine((v) => v.prepayId || v.outTradeNo || v.payParams, { message: "需要 prepayId、outTradeNo 或 payParams" });

/**
 * POST /sandbox/pay/confirm — the sandbox's stand-in for WeChat's cashier: the fan confirms, the fake marks
 * the order paid and notifies (options break the notification for demos and tests).
 * GET /sandbox/pay/prepay/:prepayId — what the confirm sheet shows (amount, description).
 */
export function createSandboxPayRouter(state: FakeWechatPayState): Router {
  const router = new Router({ prefix: "/sandbox/pay" });

  router.get("/prepay/:prepayId", (ctx) => {
    const order = state.orderByPrepayId(ctx.params.prepayId);
    if (!order) {
      ctx.status = 404;
      ctx.body = { error: { code: "not_found", message: "支付单不存在" } };
      return;
    }
    ctx.body = { outTradeNo: order.outTradeNo, description: order.description, amountFen: order.totalFen, tradeState: order.tradeState };
  });

  router.post("/confirm", async (ctx) => {
    let input: z.infer<typeof confirmSchema>;
    try {
      input = confirmSchema.parse(JSON.parse(await getRawBody(ctx.req, { limit: "16kb", encoding: "utf8" })));
    } catch {
      ctx.status = 400;
      ctx.body = { error: { code: "invalid_input", message: "参数不正确" } };
      return;
    }
    let prepayId = input.prepayId;
    if (input.payParams) {
      const params = input.payParams;
      const message = paySignMessage(params.appId, params.timeStamp, params.nonceStr, params.package);
      if (params.appId !== state.appId || !verifySha256WithRsa(state.merchantPublicKey, message, params.paySign)) {
        ctx.status = 400;
        ctx.body = { error: { code: "bad_pay_sign", message: "支付签名验证失败" } };
        return;
      }
      prepayId = params.package.slice("prepay_id=".length);
    }
    const notify: FakeNotifyOptions = { duplicates: input.duplicates, drop: input.drop, amountFen: input.amountFen, tamper: input.tamper, keyMode: input.keyMode };
    try {
      const { order, deliveries } = await state.payOrder({ prepayId, outTradeNo: input.outTradeNo }, notify);
      ctx.body = {
        outTradeNo: order.outTradeNo,
        tradeState: order.tradeState,
        transactionId: order.transactionId,
        notifications: deliveries.map((d) => ({ status: d.status, error: d.error ?? null })),
      };
    } catch (error) {
      if (!(error instanceof FakePayError)) throw error;
      ctx.status = error.status === 404 ? 404 : 409;
      ctx.body = { error: { code: error.code, message: error.message } };
    }
  });

  return router;
}
