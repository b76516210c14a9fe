import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpBillingGateway } from "../src/modules/water/httpBillingGateway";
import { BillingUnavailableError } from "../src/modules/water/billingGateway";
import { chargeByTier, DEMO_PRICE_TIERS } from "../src/modules/water/tariff";
import type { RunningServer } from "../src/server";
import { api, follower, type FakeWechat } from "./conversationsHelpers";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { TEST_APPID, TEST_SECRET, TEST_TOKEN } from "./support/testServer";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/infra/logger";
import { startServer } from "../src/server";
import { get, water } from "./waterHelpers";

/**
 * The HTTP billing gateway against a fake billing system (the contract of docs/api/billing-gateway.md), and
 * a production-mode server (SANDBOX off, BILLING_API_BASE set) with the fake WeChat: real OAuth redirect,
 * code exchange, binding and bills through the external system.
 */

interface FakeBilling {
  url: string;
  requests: { method: string; path: string; authorization?: string; body?: unknown }[];
  failNext: number;
  close(): Promise<void>;
}

const ACCOUNT = { customerNumber: "880001", ownerName: "周玉梅", address: "解放路 1 号", area: "城北片区", balanceFen: 1200 };

function fakeBill(month: string, previousReading: number, volumeM3: number, status: "paid" | "unpaid") {
  const { amountFen, tiers } = chargeByTier(volumeM3, DEMO_PRICE_TIERS);
  return { month, previousReading, currentReading: previousReading + volumeM3, volumeM3, amountFen, tiers, status, issuedAt: `${month}-28T00:00:00.000Z`, paidAt: status === "paid" ? `${month}-28T08:00:00.000Z` : null };
}
const BILLS = [fakeBill("2025-08", 100, 20, "paid"), fakeBill("2025-09", 120, 16, "paid"), fakeBill("2025-10", 136, 27, "unpaid")];

async function startFakeBilling(): Promise<FakeBilling> {
  const state: FakeBilling = { url: "", requests: [], failNext: 0, close: async () => undefined };
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url!, "http://x");
    state.requests.push({ method: req.method!, path: url.pathname + url.search, authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : undefined });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (state.failNext > 0) {
      state.failNext--;
      return send(500, { error: "down" });
    }
    // The utility's SMS platform (docs/api/sms-gateway.md) is played by the same fake.
    if (req.method === "POST" && url.pathname === "/sms/messages") return send(202, { accepted: true });
    const match = /^\/api\/v1\/accounts\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match || decodeURIComponent(match[1]) !== ACCOUNT.customerNumber) return send(404, { error: "not found" });
    const rest = match[2] ?? "";
    if (req.method === "GET" && rest === "") return send(200, ACCOUNT);
    if (req.method === "POST" && rest === "/owner-check") {
      const body = JSON.parse(raw);
      return send(200, { match: body.ownerName === ACCOUNT.ownerName && body.queryPassword === "246810" });
    }
    if (req.method === "GET" && rest === "/bills") return send(200, { bills: BILLS.slice(-Number(url.searchParams.get("months"))) });
    if (req.method === "GET" && rest.startsWith("/bills/")) {
      const bill = BILLS.find((b) => b.month === rest.slice(7));
      return bill ? send(200, bill) : send(404, {});
    }
    if (req.method === "GET" && rest === "/readings") return send(200, { readings: [{ reading: 163, readAt: "2025-11-01T01:00:00Z" }] });
    if (req.method === "POST" && rest === "/payments") return send(200, { paymentRef: JSON.parse(raw).paymentRef, balanceFen: 0, settledMonths: ["2025-10"] });
    if (req.method === "GET" && rest === "/broken") return send(200, "not json");
    return send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

describe("water: the HTTP billing gateway", () => {
  let billing: FakeBilling;

  beforeAll(async () => {
    billing = await startFakeBilling();
  });
  afterAll(async () => {
    await billing?.close();
  });

  it("speaks the documented contract, with Basic auth from the URL's credentials", async () => {
    const gateway = new HttpBillingGateway({ baseUrl: `${billing.url.replace("http://", "http://shuiwu:s%40cret@")}/api/v1/` });
    expect(await gateway.findAccount("880001")).toEqual(ACCOUNT);
    expect(await gateway.findAccount("000000")).toBeNull();
    expect(await gateway.checkOwner("880001", "周玉梅", "246810")).toBe(true);
    expect(await gateway.checkOwner("880001", "周玉梅", "000000")).toBe(false);
    expect(await gateway.checkOwner("000000", "周玉梅", "246810")).toBe(false);
    const bills = await gateway.bills("880001", 36);
    expect(bills.map((b) => b.month)).toEqual(["2025-10", "2025-09", "2025-08"]);
    expect(bills[0].issuedAt).toBeInstanceOf(Date);
    expect(await gateway.bill("880001", "2025-09")).toMatchObject({ volumeM3: 16, status: "paid" });
    expect(await gateway.bill("880001", "2024-01")).toBeNull();
    expect(await gateway.balance("880001")).toBe(1200);
    expect(await gateway.meterReadings("880001", 1)).toEqual([{ reading: 163, readAt: new Date("2025-11-01T01:00:00Z") }]);
    expect(await gateway.recordPayment("880001", { paymentRef: "wx-1", amountFen: 100, paidAt: new Date("2025-11-02T00:00:00Z") })).toEqual({ paymentRef: "wx-1", balanceFen: 0, settledMonths: ["2025-10"] });
    const payment = billing.requests.find((r) => r.path.endsWith("/payments"))!;
    expect(payment.body).toEqual({ paymentRef: "wx-1", amountFen: 100, paidAt: "2025-11-02T00:00:00.000Z" });
    expect(payment.authorization).toBe(`Basic ${Buffer.from("shuiwu:s@cret").toString("base64")}`);
    expect(billing.requests.find((r) => r.path.startsWith("/api/v1/accounts/880001/bills?"))!.path).toBe("/api/v1/accounts/880001/bills?months=36");
  });

  it("treats errors, malformed answers and a dead server as unavailable", async () => {
    const gateway = new HttpBillingGateway({ baseUrl: `${billing.url}/api/v1`, timeoutMs: 500 });
    billing.failNext = 1;
    await expect(gateway.findAccount("880001")).rejects.toBeInstanceOf(BillingUnavailableError);
    await expect(gateway.bill("880001", "broken" as string)).resolves.toBeNull();
    const dead = new HttpBillingGateway({ baseUrl: "http://127.0.0.1:9/api", timeoutMs: 500 });
    await expect(dead.bills("880001", 1)).rejects.toBeInstanceOf(BillingUnavailableError);
    const wrongShape = new HttpBillingGateway({ baseUrl: `${billing.url}/api/v1`, fetchImpl: async () => new Response(JSON.stringify({ bills: [{ month: "2025-10" }] }), { status: 200 }) });
    await expect(wrongShape.bills("880001", 1)).rejects.toBeInstanceOf(BillingUnavailableError);
  });

  describe("a production-mode server on the external billing system", () => {
    let db: TestDatabase;
    let fake: FakeWechat;
    let server: RunningServer;

    beforeAll(async () => {
      db = await createTestDatabase("watergw");
      fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
      const config = loadConfig({
        PORT: "0",
        DATABASE_URL: db.url,
        REDIS_URL: REDIS_TEST_URL,
        WECHAT_APPID: TEST_APPID,
        WECHAT_APPSECRET: TEST_SECRET,
        WECHAT_TOKEN: TEST_TOKEN,
        WECHAT_API_BASE: fake.url,
        BILLING_API_BASE: `${billing.url}/api/v1`,
        SANDBOX: "0",
        LOG_LEVEL: "silent",
      });
      server = await startServer(config, { logger: createLogger("silent"), kvPrefix: testKeyPrefix("watergw"), host: "127.0.0.1", dispatcher: { pollMs: 30 } });
    });
    afterAll(async () => {
      await server?.close();
      await fake?.close();
      await db?.drop();
    });

    it("sends verification codes through the utility's SMS platform when SMS_API_BASE is set", async () => {
      const smsServer = await startServer(
        loadConfig({
          PORT: "0",
          DATABASE_URL: db.url,
          REDIS_URL: REDIS_TEST_URL,
          WECHAT_APPID: TEST_APPID,
          WECHAT_APPSECRET: TEST_SECRET,
          WECHAT_TOKEN: TEST_TOKEN,
          WECHAT_API_BASE: fake.url,
          BILLING_API_BASE: `${billing.url}/api/v1`,
          SMS_API_BASE: `http://shuiwu:s%40cret@${billing.url.slice("http://".length)}/sms`,
          SANDBOX: "0",
          LOG_LEVEL: "silent",
        }),
        { logger: createLogger("silent"), kvPrefix: testKeyPrefix("watergwsms"), host: "127.0.0.1", dispatcher: { pollMs: 30 } },
      );
      try {
        const openid = follower(fake, "oFanProdSmsHttp00000000001");
        const start = new URL((await get(`${smsServer.url}/api/fan/oauth/start`)).headers.get("location")!);
        const callback = await get(`${smsServer.url}/api/fan/oauth/callback?code=${fake.state.issueOAuthCode(openid)}&state=${start.searchParams.get("state")}`);
        const cookie = /shuiwu_fan=[^;]+/.exec(callback.headers.get("set-cookie")!)![0];

        // The platform is down: the fan is told, and may ask again at once (the attempt does not count).
        billing.failNext = 1;
        const failed = await api(smsServer, "POST", "/api/fan/sms-code", { cookie, body: { phone: "13900000002" } });
        expect(failed.status).toBe(502);
        expect(failed.body.error.code).toBe("sms_failed");

        billing.requests.length = 0;
        expect((await api(smsServer, "POST", "/api/fan/sms-code", { cookie, body: { phone: "13900000002" } })).status).toBe(200);
        const [sent] = billing.requests.filter((request) => request.path === "/sms/messages");
        expect(sent).toMatchObject({
          method: "POST",
          authorization: `Basic ${Buffer.from("shuiwu:s@cret").toString("base64")}`,
          body: { phone: "13900000002", template: "verification_code", params: { code: expect.stringMatching(/^\d{6}$/), minutes: "5" } },
        });
        const { code } = (sent.body as { params: { code: string } }).params;
        expect((sent.body as { text: string }).text).toContain(code);
        expect((await api(smsServer, "POST", "/api/fan/phone", { cookie, body: { phone: "13900000002", code } })).status).toBe(200);
      } finally {
        await smsServer.close();
      }
    });

    it("chooses the HTTP gateway when BILLING_API_BASE is set", () => {
      expect(water(server).gateway.kind).toBe("http");
    });

    it("redirects to WeChat's authorize page with snsapi_base and a state, and signs the fan in with the fake's code", async () => {
      const start = await get(`${server.url}/api/fan/oauth/start?next=${encodeURIComponent("/h5/#/accounts")}`);
      expect(start.status).toBe(302);
      const location = start.headers.get("location")!;
      expect(location.endsWith("#wechat_redirect")).toBe(true);
      const authorize = new URL(location);
      expect(`${authorize.origin}${authorize.pathname}`).toBe("https://open.weixin.qq.com/connect/oauth2/authorize");
      expect(authorize.searchParams.get("appid")).toBe(TEST_APPID);
      expect(authorize.searchParams.get("scope")).toBe("snsapi_base");
      expect(authorize.searchParams.get("redirect_uri")).toBe(`${server.config.publicUrl}/api/fan/oauth/callback`);
      const state = authorize.searchParams.get("state")!;

      const openid = follower(fake, "oFanProd0000000000000000001");
      const code = fake.state.issueOAuthCode(openid);
      const callback = await get(`${server.url}/api/fan/oauth/callback?code=${code}&state=${state}`);
      expect(callback.status).toBe(302);
      expect(callback.headers.get("location")).toBe("/h5/#/accounts");
      const cookie = /shuiwu_fan=[^;]+/.exec(callback.headers.get("set-cookie")!)![0];
      expect((await api(server, "GET", "/api/fan/me", { cookie })).body.openid).toBe(openid);

      // A used code is refused by WeChat: a clear 400, no session.
      const start2 = new URL((await get(`${server.url}/api/fan/oauth/start`)).headers.get("location")!);
      const reused = await api(server, "GET", `/api/fan/oauth/callback?code=${code}&state=${start2.searchParams.get("state")}`);
      expect(reused.status).toBe(400);
      expect(reused.body.error.code).toBe("oauth_code_invalid");

      // A snapshot-mode (virtual) user never gets a session.
      const start3 = new URL((await get(`${server.url}/api/fan/oauth/start`)).headers.get("location")!);
      const snapshot = fake.state.issueOAuthCode("oFanSnapshot000000000000001", { snapshotUser: true });
      expect((await api(server, "GET", `/api/fan/oauth/callback?code=${snapshot}&state=${start3.searchParams.get("state")}`)).status).toBe(403);
    });

    it("has no sandbox SMS page and refuses SMS until a provider is plugged in", async () => {
      expect((await api(server, "GET", "/sandbox/api/sms?phone=13900000000")).status).toBe(404);
      const openid = follower(fake, "oFanProdSms0000000000000001");
      const start = new URL((await get(`${server.url}/api/fan/oauth/start`)).headers.get("location")!);
      const callback = await get(`${server.url}/api/fan/oauth/callback?code=${fake.state.issueOAuthCode(openid)}&state=${start.searchParams.get("state")}`);
      const cookie = /shuiwu_fan=[^;]+/.exec(callback.headers.get("set-cookie")!)![0];
      const refused = await api(server, "POST", "/api/fan/sms-code", { cookie, body: { phone: "13900000001" } });
      expect(refused.status).toBe(503);
      // The failed send does not count: with a provider plugged in the fan may ask again at once.
      const sent: string[] = [];
      water(server).setSmsProvider({ name: "test", send: async ({ text }) => void sent.push(text) });
      expect((await api(server, "POST", "/api/fan/sms-code", { cookie, body: { phone: "13900000001" } })).status).toBe(200);
      expect(sent[0]).toMatch(/验证码是 \d{6}/);

      // Then the whole path on the external billing system: verify, bind, bills, detail; an outage is a 503.
      const code = /验证码是 (\d{6})/.exec(sent[0])![1];
      expect((await api(server, "POST", "/api/fan/phone", { cookie, body: { phone: "13900000001", code } })).status).toBe(200);
      expect((await api(server, "POST", "/api/fan/accounts", { cookie, body: { customerNumber: "880001", ownerName: "周玉梅", queryPassword: "000000" } })).status).toBe(400);
      const bound = await api(server, "POST", "/api/fan/accounts", { cookie, body: { customerNumber: "880001", ownerName: "周玉梅", queryPassword: "246810" } });
      expect(bound.status).toBe(201);
      expect(bound.body.account).toMatchObject({ customerNumber: "880001", ownerName: "周*梅", area: "城北片区" });
      const bills = await api(server, "GET", `/api/fan/accounts/${bound.body.account.id}/bills`, { cookie });
      expect(bills.body).toMatchObject({ balanceFen: 1200 });
      expect(bills.body.bills.map((b: { month: string }) => b.month)).toEqual(["2025-10", "2025-09", "2025-08"]);
      expect((await api(server, "GET", `/api/fan/accounts/${bound.body.account.id}/bills/2025-10`, { cookie })).body.bill).toMatchObject({ volumeM3: 27, status: "unpaid" });
      billing.failNext = 2;
      const down = await api(server, "GET", `/api/fan/accounts/${bound.body.account.id}/bills`, { cookie });
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe("billing_unavailable");
      billing.failNext = 0;
    });
  });
});
