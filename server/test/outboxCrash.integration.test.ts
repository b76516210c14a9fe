import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { DataSource } from "typeorm";
import { systemClock } from "../src/infra/clock";
import { openDatabase } from "../src/infra/db/dataSource";
import { RedisKeyValueStore } from "../src/infra/kv/redisKeyValueStore";
import { createLogger } from "../src/infra/logger";
import { Fan } from "../src/modules/fans/fan.entity";
import { OutboxDispatcher } from "../src/modules/outbox/dispatcher";
import { enqueueOutbound } from "../src/modules/outbox/outbox";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import { Settings } from "../src/modules/settings/settings";
import { AccessTokenProvider } from "../src/wechat/api/accessToken";
import { WechatApiClient } from "../src/wechat/api/client";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";

const APPID = "wxcrash000000000001";
const SECRET = "crash-secret-0123456789";

/** A dispatcher process killed with SIGKILL in the middle of sending: after restart nothing is lost. */
describe("outbox survives a killed process", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let child: ChildProcess | undefined;
  const kvPrefix = testKeyPrefix("crash");

  beforeAll(async () => {
    db = await createTestDatabase("crash");
    dataSource = await openDatabase({ kind: "mysql", url: db.url });
    fake = await startFakeWechat({ appId: APPID, appSecret: SECRET });
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await fake?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  it("resumes every row the dead process had claimed and sends all of them", async () => {
    const fans = Array.from({ length: 10 }, (_, i) => `oCrashFan${i}`);
    const now = new Date();
    for (const openid of fans) {
      await dataSource.getRepository(Fan).save({ openid, nickname: null, subscribed: true, subscribedAt: now, unsubscribedAt: null, lastMessageAt: now, lastEventAt: null, lastInteractionAt: now, createdAt: now, updatedAt: now });
      fake.state.upsertFan({ openId: openid, nickname: openid, subscribed: true });
    }
    const rows = await dataSource.transaction(async (manager) => {
      const created: OutboxMessage[] = [];
      for (const openid of fans) for (const n of [1, 2]) created.push(await enqueueOutbound(manager, { kind: "custom", message: { type: "text", toUser: openid, content: `${openid}#${n}` } }, systemClock));
      return created;
    });
    // WeChat answers slowly, so the child is caught with rows in flight.
    fake.state.failNext("/cgi-bin/message/custom/send", { delayMs: 60_000, times: 100 });

    child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "support/dispatcherProcess.ts")], {
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: REDIS_TEST_URL, KV_PREFIX: kvPrefix, WECHAT_API_BASE: fake.url, APPID, SECRET, CLAIM_MS: "1500" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const deadline = Date.now() + 20_000;
    let inFlight = 0;
    while (Date.now() < deadline) {
      inFlight = await dataSource.getRepository(OutboxMessage).countBy({ status: "sending" });
      if (inFlight >= fans.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(inFlight).toBe(fans.length); // one per fan: the first of each, the second waits its turn
    child.kill("SIGKILL");
    await new Promise((resolve) => child!.once("exit", resolve));
    fake.state.reset(); // WeChat is healthy again; forget what the dead process half-sent
    for (const openid of fans) fake.state.upsertFan({ openId: openid, nickname: openid, subscribed: true });

    const logger = createLogger("silent");
    const kv = RedisKeyValueStore.connect(REDIS_TEST_URL, kvPrefix);
    const tokens = new AccessTokenProvider({ kv, apiBase: fake.url, appId: APPID, appSecret: SECRET, logger });
    const client = new WechatApiClient({ apiBase: fake.url, appId: APPID, appSecret: SECRET, tokens, kv });
    const restarted = new OutboxDispatcher(dataSource, client, new Settings(dataSource, systemClock), systemClock, logger, { pollMs: 50 });
    restarted.start();
    try {
      const until = Date.now() + 20_000;
      for (;;) {
        const pending = await dataSource.getRepository(OutboxMessage).count({ where: [{ status: "pending" }, { status: "sending" }] });
        if (pending === 0 || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await restarted.stop();
      await kv.close();
    }
    const settled = await dataSource.getRepository(OutboxMessage).findBy(rows.map((r) => ({ id: r.id })));
    expect(settled.map((r) => r.status)).toEqual(Array(rows.length).fill("sent"));
    for (const openid of fans) {
      const texts = fake.state.messagesTo(openid).map((m) => (m.body as { text: { content: string } }).text.content);
      expect(texts).toEqual([`${openid}#1`, `${openid}#2`]);
    }
  });
});
