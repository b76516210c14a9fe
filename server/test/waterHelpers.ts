import { loadConfig } from "../src/config";
import { ManualClock } from "../src/infra/clock";
import { createLogger } from "../src/infra/logger";
import { WATER_SERVICE, type WaterService } from "../src/modules/water/waterModule";
import { startServer, type RunningServer } from "../src/server";
import { api, type ApiResponse } from "./support/api";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { deliver, nextMsgId, textXml, type CallbackResponse } from "./support/wechatFan";

/** Water-service test harness: sandbox mode (the fake WeChat in-process, SMS readable), demo data, MariaDB + Redis. */

export interface WaterHarness {
  db: TestDatabase;
  clock: ManualClock;
  servers: RunningServer[];
  server: RunningServer;
  close(): Promise<void>;
}

export async function startWaterHarness(label: string, options: { instances?: number; env?: Record<string, string> } = {}): Promise<WaterHarness> {
  const db = await createTestDatabase(label);
  const clock = new ManualClock(new Date());
  const kvPrefix = testKeyPrefix(label);
  const servers: RunningServer[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    const config = loadConfig({
      PORT: "0",
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_TEST_URL,
      SANDBOX: "1",
      SEED_DEMO: "1",
      LOG_LEVEL: "silent",
      ...options.env,
    });
    servers.push(
      await startServer(config, {
        logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
        kvPrefix,
        host: "127.0.0.1",
        clock,
        dispatcher: { pollMs: 30, baseBackoffMs: 20, maxBackoffMs: 100 },
      }),
    );
  }
  return {
    db,
    clock,
    servers,
    server: servers[0],
    close: async () => {
      for (const server of servers) await server.close();
      await db.drop();
    },
  };
}

export function water(server: RunningServer): WaterService {
  return server.context.services.get(WATER_SERVICE) as WaterService;
}

/** The server's own address for a URL it produced (PUBLIC_URL says localhost; tests talk to 127.0.0.1). */
export function local(server: RunningServer, url: string): string {
  return url.replace(/^http:\/\/localhost:/, "http://127.0.0.1:").replace(/^\//, `${server.url}/`);
}

export async function get(url: string, cookie?: string): Promise<Response> {
  return fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
}

/** The H5 sign-in through the sandbox: start → /sandbox/oauth → callback → cookie. Returns the cookie header. */
export async function signInFan(server: RunningServer, openid: string, next = "/h5/#/bills"): Promise<{ cookie: string; landedAt: string }> {
  const start = await get(`${server.url}/api/fan/oauth/start?next=${encodeURIComponent(next)}&openid=${openid}`);
  if (start.status !== 302) throw new Error(`oauth start answered ${start.status}`);
  const sandboxPage = await get(local(server, start.headers.get("location")!));
  if (sandboxPage.status !== 302) throw new Error(`sandbox oauth answered ${sandboxPage.status}`);
  const callback = await get(local(server, sandboxPage.headers.get("location")!));
  if (callback.status !== 302) throw new Error(`oauth callback answered ${callback.status}: ${await callback.text()}`);
  const cookie = /shuiwu_fan=[^;]+/.exec(callback.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("no fan session cookie");
  return { cookie, landedAt: callback.headers.get("location")! };
}

/** The code the sandbox SMS provider last "sent" to the phone. */
export async function smsCodeFor(server: RunningServer, phone: string): Promise<string> {
  const response = await api(server, "GET", `/sandbox/api/sms?phone=${phone}`);
  if (response.status !== 200) throw new Error(`no sms for ${phone}: ${response.status}`);
  return response.body.code;
}

/** Lets the next code be requested at once (as if the one-minute gap had passed). */
export async function minutePassed(server: RunningServer, phone: string, openid: string): Promise<void> {
  await server.kv.delete(`water:sms:gap:phone:${phone}`);
  await server.kv.delete(`water:sms:gap:fan:${openid}`);
}

/** A signed-in fan with a verified phone. */
export async function verifiedFan(server: RunningServer, openid: string, phone: string): Promise<string> {
  server.context.sandbox?.fake.upsertFan({ openId: openid, nickname: openid, subscribed: true });
  const { cookie } = await signInFan(server, openid);
  const sent = await api(server, "POST", "/api/fan/sms-code", { cookie, body: { phone } });
  if (sent.status !== 200) throw new Error(`sms-code answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const verified = await api(server, "POST", "/api/fan/phone", { cookie, body: { phone, code: await smsCodeFor(server, phone) } });
  if (verified.status !== 200) throw new Error(`phone answered ${verified.status}: ${JSON.stringify(verified.body)}`);
  return cookie;
}

export async function bindDemo(server: RunningServer, cookie: string, customerNumber: string, ownerName: string, queryPassword = "123456"): Promise<ApiResponse> {
  return api(server, "POST", "/api/fan/accounts", { cookie, body: { customerNumber, ownerName, queryPassword } });
}

/** The fan types a text message to the account (sandbox token and AppID). */
export async function fanTypes(server: RunningServer, openid: string, content: string): Promise<CallbackResponse> {
  return deliver({ url: server.url, token: server.config.wechat.token, appId: server.config.wechat.appId }, textXml({ from: openid, content, msgId: nextMsgId() }));
}

let phoneCounter = 0;
/** A distinct mainland mobile number per call (per test process). */
export function newPhone(): string {
  phoneCounter++;
  return `139${String(process.pid % 10000).padStart(4, "0")}${String(phoneCounter).padStart(4, "0")}`;
}
