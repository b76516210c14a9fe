import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import getRawBody from "raw-body";
import { loadConfig, SANDBOX_APPID } from "../../config";
import { ManualClock } from "../../infra/clock";
import { startFakeWechatPay } from "../../sandbox/fakeWechatPay";
import { SANDBOX_PAY, sandboxPayEnv } from "../../sandbox/sandboxPayKeys";
import { createPay, NotifyRejected, readWechatpayHeaders, type Pay, type TransactionResource, type VerifiedNotification } from "./notifications";
import { paySignMessage } from "./payCrypto";
import { PayApiError } from "./payGateway";

/**
 * The gateway (wechatpay-node-v3 + our transport, signing and verification) against the fake WeChat Pay
 * over HTTP: contract tests for every call, both key modes, and the failure paths.
 */

type Fake = Awaited<ReturnType<typeof startFakeWechatPay>>;

const NOW = new Date("2026-11-24T02:00:00Z");
const FAN = "oFan0000000000000000000000001";
let clock: ManualClock;
let fake: Fake;
let receiver: http.Server;
let notifyUrl: string;
let received: Array<{ status: number; notification?: VerifiedNotification<TransactionResource>; reason?: string }>;
let pay: Pay;

function payFor(mode: "public_key" | "platform_certificate", fetchImpl?: typeof fetch, timeoutMs?: number): Pay {
  return createPay(loadConfig({ SANDBOX: "1", LOG_LEVEL: "silent", ...sandboxPayEnv(fake.url, mode) }), { clock, fetchImpl, timeoutMs })!;
}

beforeEach(async () => {
  clock = new ManualClock(NOW);
  fake = await startFakeWechatPay({ clock, appId: SANDBOX_APPID, refundSettleMs: null });
  received = [];
  // Our side of notify_url: verifies with the same Pay under test, answers like /pay/notify.
  receiver = http.createServer(async (req, res) => {
    const body = await getRawBody(req, { encoding: "utf8" });
    try {
      const notification = pay.verifier.verify<TransactionResource>(readWechatpayHeaders(req.headers), body);
      received.push({ status: 204, notification });
      res.statusCode = 204;
      res.end();
    } catch (error) {
      if (!(error instanceof NotifyRejected)) throw error;
      received.push({ status: 401, reason: error.reason });
      res.statusCode = 401;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ code: "FAIL", message: error.reason }));
    }
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pay/notify`;
  pay = payFor("public_key");
});

afterEach(async () => {
  await fake.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const order = (outTradeNo: string, amountFen = 2500) => ({
  outTradeNo,
  description: "水费-2026年10月-账户 3100012345",
  amountFen,
  payerOpenid: FAN,
  expiresAt: new Date(NOW.getTime() + 30 * 60_000),
  attach: "bill:2026-10",
  notifyUrl,
});

async function rejected(run: Promise<unknown>): Promise<PayApiError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof PayApiError) return error;
    throw error;
  }
  throw new Error("did not fail");
}

describe("JSAPI order", () => {
  it("creates the order and returns pay params signed with the merchant key over our own CSPRNG nonce", async () => {
    const params = await pay.gateway.createJsapiOrder(order("T20261124000001"));
    expect(params).toMatchObject({ appId: SANDBOX_APPID, signType: "RSA", timeStamp: String(NOW.getTime() / 1000) });
    expect(params.nonceStr).toMatch(/^[0-9A-F]{32}$/);
    expect(params.package).toMatch(/^prepay_id=wx\w+$/);
    const merchantKey = new crypto.X509Certificate(SANDBOX_PAY.merchantCertificatePem).publicKey;
    const message = paySignMessage(params.appId, params.timeStamp, params.nonceStr, params.package);
    expect(crypto.verify("RSA-SHA256", Buffer.from(message), merchantKey, Buffer.from(params.paySign, "base64"))).toBe(true);
    const stored = fake.state.orders.get("T20261124000001")!;
    expect(stored).toMatchObject({ totalFen: 2500, openid: FAN, attach: "bill:2026-10", notifyUrl, timeExpire: new Date(NOW.getTime() + 30 * 60_000) });
  });

  it("queries NOTPAY, then SUCCESS after the fan pays, and the notification verifies and decrypts", async () => {
    await pay.gateway.createJsapiOrder(order("T20261124000002"));
    expect(await pay.gateway.queryOrder("T20261124000002")).toMatchObject({ tradeState: "NOTPAY", transactionId: null, successTime: null });
    clock.advance(60_000);
    const { deliveries } = await fake.state.payOrder({ outTradeNo: "T20261124000002" });
    expect(deliveries.map((d) => d.status)).toEqual([204]);
    expect(received[0].notification?.resource).toMatchObject({ out_trade_no: "T20261124000002", trade_state: "SUCCESS", amount: { total: 2500 }, payer: { openid: FAN }, mchid: SANDBOX_PAY.mchId, appid: SANDBOX_APPID });
    const paid = await pay.gateway.queryOrder("T20261124000002");
    expect(paid).toMatchObject({ tradeState: "SUCCESS", amountFen: 2500, payerOpenid: FAN, attach: "bill:2026-10", successTime: new Date(NOW.getTime() + 60_000) });
    expect(paid?.transactionId).toMatch(/^4200\d{24}$/);
  });

  it("answers null for an order WeChat does not know, and closes unpaid orders", async () => {
    expect(await pay.gateway.queryOrder("T20261124999999")).toBeNull();
    await pay.gateway.createJsapiOrder(order("T20261124000003"));
    await pay.gateway.closeOrder("T20261124000003");
    expect((await pay.gateway.queryOrder("T20261124000003"))?.tradeState).toBe("CLOSED");
    const again = await rejected(pay.gateway.createJsapiOrder(order("T20261124000003")));
    expect(again).toMatchObject({ status: 400, code: "ORDER_CLOSED", retryable: false });
  });

  it("refuses bad input before calling WeChat", async () => {
    for (const bad of [{ amountFen: 0 }, { amountFen: 1.5 }, { outTradeNo: "no" }, { description: "水".repeat(43) }, { notifyUrl: `${notifyUrl}?x=1` }]) {
      expect(await rejected(pay.gateway.createJsapiOrder({ ...order("T20261124000004"), ...bad }))).toMatchObject({ code: "INVALID_INPUT" });
    }
    expect(fake.state.requestCounts.get("POST /v3/pay/transactions/jsapi")).toBeUndefined();
  });
});

describe("refunds", () => {
  it("refunds part of a paid order, queries it, and the REFUND.SUCCESS notification verifies", async () => {
    await pay.gateway.createJsapiOrder(order("T20261124000010", 5000));
    await fake.state.payOrder({ outTradeNo: "T20261124000010" });
    const refundNotifyUrl = notifyUrl.replace("/pay/notify", "/pay/refund-notify");
    const accepted = await pay.gateway.refund({ outTradeNo: "T20261124000010", outRefundNo: "R20261124000010", refundFen: 2000, totalFen: 5000, reason: "多缴", notifyUrl: refundNotifyUrl });
    expect(accepted).toMatchObject({ outRefundNo: "R20261124000010", outTradeNo: "T20261124000010", status: "PROCESSING", refundFen: 2000, successTime: null });
    // Retrying with the same out_refund_no is the same refund.
    expect((await pay.gateway.refund({ outTradeNo: "T20261124000010", outRefundNo: "R20261124000010", refundFen: 2000, totalFen: 5000, notifyUrl: refundNotifyUrl })).refundId).toBe(accepted.refundId);
    await fake.state.settleRefund("R20261124000010");
    expect(received.at(-1)?.notification).toMatchObject({ eventType: "REFUND.SUCCESS", resource: { out_refund_no: "R20261124000010", refund_status: "SUCCESS", amount: { refund: 2000, total: 5000 } } });
    expect(await pay.gateway.queryRefund("R20261124000010")).toMatchObject({ status: "SUCCESS", refundFen: 2000, successTime: NOW });
    expect((await pay.gateway.queryOrder("T20261124000010"))?.tradeState).toBe("REFUND");
    expect(await pay.gateway.queryRefund("R20261124999999")).toBeNull();
    const tooMuch = await rejected(pay.gateway.refund({ outTradeNo: "T20261124000010", outRefundNo: "R20261124000011", refundFen: 3001, totalFen: 5000, notifyUrl: refundNotifyUrl }));
    expect(tooMuch).toMatchObject({ status: 403, code: "NOT_ENOUGH" });
  });
});

describe("trade bill", () => {
  it("downloads, checks and parses yesterday's bill in fen; [] for a day without trades; null while it is being made", async () => {
    await pay.gateway.createJsapiOrder(order("T20261124000020", 1234));
    await fake.state.payOrder({ outTradeNo: "T20261124000020" });
    await pay.gateway.refund({ outTradeNo: "T20261124000020", outRefundNo: "R20261124000020", refundFen: 234, totalFen: 1234, notifyUrl });
    expect(await pay.gateway.tradeBill("2026-11-24")).toBeNull();
    clock.advance(24 * 3600_000);
    const rows = await pay.gateway.tradeBill("2026-11-24");
    expect(rows).toEqual([
      expect.objectContaining({ outTradeNo: "T20261124000020", tradeState: "SUCCESS", amountFen: 1234, refundFen: 0, outRefundNo: null, tradeTime: NOW }),
      expect.objectContaining({ outTradeNo: "T20261124000020", tradeState: "REFUND", amountFen: 1234, refundFen: 234, outRefundNo: "R20261124000020" }),
    ]);
    expect(await pay.gateway.tradeBill("2026-11-20")).toEqual([]);
    expect(fake.state.requestCounts.get("GET /v3/billdownload/file")).toBe(1);
  });
});

describe("platform-certificate mode", () => {
  it("downloads the certificates once, then verifies responses and notifications with them", async () => {
    fake.state.notifyKeyMode = "platform_certificate";
    pay = payFor("platform_certificate");
    await pay.warmUp();
    expect(pay.keys.knownSerials()).toEqual([SANDBOX_PAY.platformSerial]);
    await pay.gateway.createJsapiOrder(order("T20261124000030"));
    await fake.state.payOrder({ outTradeNo: "T20261124000030" });
    expect(received.map((r) => r.status)).toEqual([204]);
    expect(fake.state.requestCounts.get("GET /v3/certificates")).toBe(1);
  });

  it("loads the certificates on the first response signed with an unknown serial", async () => {
    pay = payFor("platform_certificate");
    expect(await pay.gateway.queryOrder("T20261124999999")).toBeNull();
    expect(fake.state.requestCounts.get("GET /v3/certificates")).toBe(1);
  });
});

describe("failures", () => {
  it("refuses a response whose body was changed on the way (signature), or that is not signed at all", async () => {
    await pay.gateway.createJsapiOrder(order("T20261124000040"));
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = (await response.text()).replace('"NOTPAY"', '"SUCCESS"');
      return new Response(text, { status: response.status, headers: response.headers });
    };
    pay = payFor("public_key", tampering);
    expect(await rejected(pay.gateway.queryOrder("T20261124000040"))).toMatchObject({ code: "BAD_RESPONSE_SIGNATURE", retryable: false });
    const stripping: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return new Response(await response.text(), { status: response.status, headers: { "content-type": "application/json" } });
    };
    pay = payFor("public_key", stripping);
    expect(await rejected(pay.gateway.queryOrder("T20261124000040"))).toMatchObject({ code: "BAD_RESPONSE_SIGNATURE" });
  });

  it("refuses a response signed too long ago", async () => {
    const late: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      clock.advance(301_000);
      return response;
    };
    pay = payFor("public_key", late);
    expect(await rejected(pay.gateway.queryOrder("T20261124000041"))).toMatchObject({ code: "BAD_RESPONSE_SIGNATURE", retryable: true });
  });

  it("marks 5xx, rate limits and timeouts retryable, 4xx not", async () => {
    fake.state.failNext("GET /v3/pay/transactions/out-trade-no", { status: 500, code: "SYSTEM_ERROR", message: "系统错误" });
    expect(await rejected(pay.gateway.queryOrder("T20261124000042"))).toMatchObject({ status: 500, code: "SYSTEM_ERROR", retryable: true });
    fake.state.failNext("GET /v3/pay/transactions/out-trade-no", { status: 429, code: "FREQUENCY_LIMITED", message: "频率超限" });
    expect(await rejected(pay.gateway.queryOrder("T20261124000042"))).toMatchObject({ status: 429, retryable: true });
    fake.state.failNext("POST /v3/pay/transactions/jsapi", { status: 400, code: "PARAM_ERROR", message: "参数错误" });
    expect(await rejected(pay.gateway.createJsapiOrder(order("T20261124000042")))).toMatchObject({ status: 400, code: "PARAM_ERROR", retryable: false });
    pay = payFor("public_key", undefined, 100);
    fake.state.failNext("GET /v3/pay/transactions/out-trade-no", { status: 500, code: "SYSTEM_ERROR", delayMs: 1000 });
    expect(await rejected(pay.gateway.queryOrder("T20261124000042"))).toMatchObject({ status: undefined, code: "TIMEOUT", retryable: true });
    pay = createPay(loadConfig({ SANDBOX: "1", ...sandboxPayEnv("http://127.0.0.1:1") }), { clock })!;
    expect(await rejected(pay.gateway.queryOrder("T20261124000042"))).toMatchObject({ code: "NETWORK", retryable: true });
  });

  it("is refused by WeChat when signed with another merchant key", async () => {
    const otherKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const other = new (await import("./wechatPayGateway")).WechatPayGateway({
      appId: SANDBOX_APPID,
      mchId: SANDBOX_PAY.mchId,
      merchantSerial: SANDBOX_PAY.merchantSerial,
      privateKeyPem: otherKey,
      apiV3Key: SANDBOX_PAY.apiV3Key,
      apiBase: fake.url,
      keys: pay.keys,
      clock,
    });
    expect(await rejected(other.queryOrder("T20261124000043"))).toMatchObject({ status: 401, code: "SIGN_ERROR", retryable: false });
  });
});
