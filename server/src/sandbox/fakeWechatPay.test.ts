import http from "node:http";
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import Koa from "koa";
import getRawBody from "raw-body";
import { loadConfig, SANDBOX_APPID } from "../config";
import { ManualClock } from "../infra/clock";
import { createPay, NotifyRejected, readWechatpayHeaders, type Pay, type TransactionResource } from "../wechat/pay/notifications";
import { createFakeWechatPay, createSandboxPayRouter, type FakeWechatPayState } from "./fakeWechatPay";
import { SANDBOX_PAY, sandboxPayEnv } from "./sandboxPayKeys";

/**
 * The fake WeChat Pay mounted the way sandbox mode mounts it (under /sandbox/wechatpay-api, with the
 * /sandbox/pay confirm routes beside it), spoken to by the real gateway and by plain HTTP.
 */

const NOW = new Date("2026-11-24T02:00:00Z");
let clock: ManualClock;
let state: FakeWechatPayState;
let server: http.Server;
let base: string;
let pay: Pay;
let answers: number[];
let verdicts: Array<{ reason?: string; resource?: TransactionResource }>;

async function start(options: { retryDelaysMs?: number[] } = {}) {
  clock = new ManualClock(NOW);
  answers = [];
  verdicts = [];
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake = createFakeWechatPay({ clock, appId: SANDBOX_APPID, refundSettleMs: null, ...options });
  state = fake.state;
  const api = new Router({ prefix: "/sandbox/wechatpay-api" });
  api.use(fake.router.routes(), fake.router.allowedMethods());
  // Our notify endpoint stand-in: answers from the queue (default 204), verifies with the real verifier.
  const notify = new Router();
  notify.post("/pay/notify", async (ctx) => {
    const body = await getRawBody(ctx.req, { encoding: "utf8" });
    try {
      verdicts.push({ resource: pay.verifier.verify<TransactionResource>(readWechatpayHeaders(ctx.headers), body).resource });
      ctx.status = answers.shift() ?? 204;
    } catch (error) {
      if (!(error instanceof NotifyRejected)) throw error;
      verdicts.push({ reason: error.reason });
      ctx.status = 401;
      ctx.body = { code: "FAIL", message: error.reason };
    }
  });
  const app = new Koa();
  app.silent = true;
  for (const router of [api, createSandboxPayRouter(state), notify]) app.use(router.routes()).use(router.allowedMethods());
  server.on("request", app.callback());
  pay = createPay(loadConfig({ SANDBOX: "1", ...sandboxPayEnv(`${base}/sandbox/wechatpay-api`) }), { clock })!;
}

afterEach(async () => {
  state.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function newOrder(outTradeNo: string, amountFen = 2500) {
  return pay.gateway.createJsapiOrder({ outTradeNo, description: "水费", amountFen, payerOpenid: "oFan1", expiresAt: new Date(NOW.getTime() + 15 * 60_000), notifyUrl: `${base}/pay/notify` });
}

async function confirm(body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/sandbox/pay/confirm`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("fake WeChat Pay API", () => {
  beforeEach(() => start());

  it("refuses requests without a valid merchant signature, like WeChat (401 SIGN_ERROR), and still signs the answer", async () => {
    const response = await fetch(`${base}/sandbox/wechatpay-api/v3/pay/transactions/out-trade-no/T1000001?mchid=${SANDBOX_PAY.mchId}`, { headers: { "user-agent": "test" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "SIGN_ERROR" });
    expect(response.headers.get("wechatpay-serial")).toBe(SANDBOX_PAY.platformSerial);
    const forged = `WECHATPAY2-SHA256-RSA2048 mchid="${SANDBOX_PAY.mchId}",nonce_str="N",timestamp="${NOW.getTime() / 1000}",serial_no="${SANDBOX_PAY.merchantSerial}",signature="AAAA"`;
    const second = await fetch(`${base}/sandbox/wechatpay-api/v3/certificates`, { headers: { authorization: forged, "user-agent": "test" } });
    expect(second.status).toBe(401);
  });

  it("rejects an Authorization timestamp more than 5 minutes off its clock", async () => {
    const skewed = createPay(loadConfig({ SANDBOX: "1", ...sandboxPayEnv(`${base}/sandbox/wechatpay-api`) }), { clock: new ManualClock(new Date(NOW.getTime() - 301_000)) })!;
    // The skewed client also distrusts the answer's timestamp; the fake's verdict is the 401.
    await expect(skewed.gateway.queryOrder("T1000001")).rejects.toMatchObject({ status: 401 });
    expect(state.requestCounts.get("GET /v3/pay/transactions/out-trade-no/:outTradeNo")).toBe(1);
  });

  it("signs answers with the WeChat Pay public key when the request names its PUB_KEY_ID", async () => {
    await newOrder("T1000002");
    expect(state.requestCounts.get("POST /v3/pay/transactions/jsapi")).toBe(1);
    // The gateway sent Wechatpay-Serial: PUB_KEY_ID_… and verified the answer with the public key only.
    expect(pay.keys.knownSerials()).toEqual([SANDBOX_PAY.publicKeyId]);
  });

  it("re-issues a prepay_id for the same order and parameters, refuses changed ones", async () => {
    const first = await newOrder("T1000003");
    const second = await newOrder("T1000003");
    expect(second.package).not.toBe(first.package);
    await expect(newOrder("T1000003", 2600)).rejects.toMatchObject({ status: 400, code: "INVALID_REQUEST" });
  });
});

describe("sandbox confirm (the H5 confirm sheet)", () => {
  beforeEach(() => start());

  it("checks paySign like WeChat's cashier, pays once and notifies", async () => {
    const params = await newOrder("T1000010");
    const prepayId = params.package.slice("prepay_id=".length);
    const sheet = await fetch(`${base}/sandbox/pay/prepay/${prepayId}`);
    expect(await sheet.json()).toEqual({ outTradeNo: "T1000010", description: "水费", amountFen: 2500, tradeState: "NOTPAY" });
    expect(await confirm({ payParams: { ...params, paySign: params.paySign.replace(/^./, (c) => (c === "A" ? "B" : "A")) } })).toMatchObject({ status: 400, body: { error: { code: "bad_pay_sign" } } });
    const paid = await confirm({ payParams: params });
    expect(paid).toMatchObject({ status: 200, body: { outTradeNo: "T1000010", tradeState: "SUCCESS", notifications: [{ status: 204, error: null }] } });
    expect(verdicts).toEqual([{ resource: expect.objectContaining({ out_trade_no: "T1000010", trade_state: "SUCCESS", amount: expect.objectContaining({ total: 2500 }) }) }]);
    expect(await confirm({ prepayId: "wxunknown" })).toMatchObject({ status: 404 });
    expect(await confirm({})).toMatchObject({ status: 400 });
  });

  it("delivers duplicates concurrently, drops on request, and lies about the amount with a valid signature", async () => {
    await newOrder("T1000011");
    const duplicated = await state.payOrder({ outTradeNo: "T1000011" }, { duplicates: 10 });
    expect(duplicated.deliveries).toHaveLength(10);
    expect(new Set(duplicated.deliveries.map((d) => d.id)).size).toBe(1);
    expect(verdicts.filter((v) => v.resource?.out_trade_no === "T1000011")).toHaveLength(10);

    await newOrder("T1000012");
    const lost = await state.payOrder({ outTradeNo: "T1000012" }, { drop: true });
    expect(lost.deliveries).toEqual([]);
    expect((await pay.gateway.queryOrder("T1000012"))?.tradeState).toBe("SUCCESS");

    await newOrder("T1000013");
    await confirm({ outTradeNo: "T1000013", amountFen: 1 });
    expect(verdicts.at(-1)?.resource?.amount?.total).toBe(1);
    expect((await pay.gateway.queryOrder("T1000013"))?.amountFen).toBe(2500);
  });

  it("breaks notifications on request; our verifier rejects each for its reason", async () => {
    const cases = [
      ["signature", "bad_signature"],
      ["probe", "probe"],
      ["stale", "stale"],
      ["ciphertext", "decrypt_failed"],
    ] as const;
    for (const [index, [tamper, reason]] of cases.entries()) {
      const outTradeNo = `T100004${index}`;
      await newOrder(outTradeNo);
      const { body } = await confirm({ outTradeNo, tamper });
      expect(body.notifications).toEqual([{ status: 401, error: null }]);
      expect(verdicts.at(-1)).toEqual({ reason });
    }
  });

  it("signs notifications in platform-certificate mode when asked (certificates loaded on demand)", async () => {
    await newOrder("T1000020");
    const first = await confirm({ outTradeNo: "T1000020", keyMode: "platform_certificate" });
    expect(first.body.notifications).toEqual([{ status: 401, error: null }]);
    expect(verdicts.at(-1)).toEqual({ reason: "unknown_serial" });
    await pay.keys.refresh();
    const redelivered = await confirm({ outTradeNo: "T1000020", keyMode: "platform_certificate" });
    expect(redelivered.body.notifications).toEqual([{ status: 204, error: null }]);
  });
});

describe("redelivery", () => {
  beforeEach(() => start({ retryDelaysMs: [20, 20] }));

  it("retries an unacknowledged notification on its schedule until we answer 2xx", async () => {
    await newOrder("T1000030");
    answers.push(500, 500);
    const { deliveries } = await state.payOrder({ outTradeNo: "T1000030" });
    expect(deliveries.map((d) => d.status)).toEqual([500]);
    for (let i = 0; i < 100 && state.deliveries.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.deliveries.map((d) => d.status)).toEqual([500, 500, 204]);
  });
});
