import type { DataSource } from "typeorm";
import { systemClock } from "../src/infra/clock";
import { openDatabase } from "../src/infra/db/dataSource";
import { RedisKeyValueStore } from "../src/infra/kv/redisKeyValueStore";
import { createLogger } from "../src/infra/logger";
import { Fan } from "../src/modules/fans/fan.entity";
import { OutboxDispatcher } from "../src/modules/outbox/dispatcher";
import { enqueueOutbound, type OutboundRequest } from "../src/modules/outbox/outbox";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import { Settings } from "../src/modules/settings/settings";
import { AccessTokenProvider } from "../src/wechat/api/accessToken";
import { WechatApiClient } from "../src/wechat/api/client";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";

const APPID = "wxoutbox00000000001";
const SECRET = "outbox-secret-0123456789";
const logger = createLogger("silent");

describe("outbox on MariaDB + Redis", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let kv: RedisKeyValueStore;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let client: WechatApiClient;
  let settings: Settings;
  const dispatchers: OutboxDispatcher[] = [];

  function dispatcher(options = {}) {
    const d = new OutboxDispatcher(dataSource, client, settings, systemClock, logger, { baseBackoffMs: 20, maxBackoffMs: 100, pollMs: 20, ...options });
    dispatchers.push(d);
    return d;
  }

  beforeAll(async () => {
    db = await createTestDatabase("outbox");
    dataSource = await openDatabase({ kind: "mysql", url: db.url });
    kv = RedisKeyValueStore.connect(REDIS_TEST_URL, testKeyPrefix("outbox"));
    fake = await startFakeWechat({ appId: APPID, appSecret: SECRET });
    const tokens = new AccessTokenProvider({ kv, apiBase: fake.url, appId: APPID, appSecret: SECRET, logger });
    client = new WechatApiClient({ apiBase: fake.url, appId: APPID, appSecret: SECRET, tokens, kv });
    settings = new Settings(dataSource, systemClock, 0);
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    fake.state.reset();
  });

  afterAll(async () => {
    await fake?.close();
    await kv?.close();
    await dataSource?.destroy();
    await db?.drop();
  });

  /** A fan who just sent a message (window open, full quota), known to the fake as a follower. */
  async function fanWhoJustWrote(openid: string, at = new Date()): Promise<void> {
    await dataSource.getRepository(Fan).save({
      openid,
      nickname: null,
      subscribed: true,
      subscribedAt: at,
      unsubscribedAt: null,
      lastMessageAt: at,
      lastEventAt: null,
      lastInteractionAt: at,
      createdAt: at,
      updatedAt: at,
    });
    fake.state.upsertFan({ openId: openid, nickname: openid, subscribed: true });
  }

  const text = (toUser: string, content: string): OutboundRequest => ({ kind: "custom", message: { type: "text", toUser, content } });

  async function enqueue(...requests: OutboundRequest[]): Promise<OutboxMessage[]> {
    return dataSource.transaction(async (manager) => {
      const rows: OutboxMessage[] = [];
      for (const request of requests) rows.push(await enqueueOutbound(manager, request, systemClock));
      return rows;
    });
  }

  async function settle(ids: string[], timeoutMs = 10_000): Promise<OutboxMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await dataSource.getRepository(OutboxMessage).find({ where: ids.map((id) => ({ id })), order: { id: "ASC" } });
      if (rows.every((r) => r.status !== "pending" && r.status !== "sending")) return rows;
      if (Date.now() > deadline) throw new Error(`outbox rows did not settle: ${rows.map((r) => r.status).join(",")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const textsTo = (openid: string) =>
    fake.state.messagesTo(openid).filter((m) => m.kind === "custom").map((m) => (m.body as { text?: { content: string } }).text?.content);

  it("writes nothing when the transaction that enqueued rolls back", async () => {
    await fanWhoJustWrote("oOutRollback");
    await expect(
      dataSource.transaction(async (manager) => {
        await enqueueOutbound(manager, text("oOutRollback", "不应发送"), systemClock);
        throw new Error("business change failed");
      }),
    ).rejects.toThrow("business change failed");
    expect(await dataSource.getRepository(OutboxMessage).countBy({ fanOpenid: "oOutRollback" })).toBe(0);
  });

  it("sends a customer-service message and records it as sent", async () => {
    await fanWhoJustWrote("oOutSend001");
    const [row] = await enqueue(text("oOutSend001", "您好，已为您查询"));
    await dispatcher().runOnce();
    const [sent] = await settle([row.id]);
    expect(sent).toMatchObject({ status: "sent", attempts: 1, lastErrcode: null });
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(textsTo("oOutSend001")).toEqual(["您好，已为您查询"]);
  });

  it("retries transient failures (-1, HTTP 500) with backoff and then sends", async () => {
    await fanWhoJustWrote("oOutRetry01");
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: -1, times: 1 });
    fake.state.failNext("/cgi-bin/message/custom/send", { httpStatus: 500, times: 1 });
    const [row] = await enqueue(text("oOutRetry01", "稍后重试也要送达"));
    dispatcher().start();
    const [sent] = await settle([row.id]);
    expect(sent.status).toBe("sent");
    expect(sent.attempts).toBe(3);
    expect(textsTo("oOutRetry01")).toEqual(["稍后重试也要送达"]);
  });

  it("records a permanent failure with its errcode and does not retry", async () => {
    await fanWhoJustWrote("oOutPerm001");
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 40003, times: 5 });
    const [row] = await enqueue(text("oOutPerm001", "无效的openid"));
    dispatcher().start();
    const [failed] = await settle([row.id]);
    expect(failed).toMatchObject({ status: "failed", lastErrcode: 40003, attempts: 1 });
    expect(failed.lastError).toContain("40003");
  });

  it("refuses past the 48-hour window without calling WeChat (45015)", async () => {
    await fanWhoJustWrote("oOutLate001", new Date(Date.now() - 49 * 3600_000));
    const [row] = await enqueue(text("oOutLate001", "太晚了"));
    await dispatcher().runOnce();
    const [refused] = await settle([row.id]);
    expect(refused).toMatchObject({ status: "refused", lastErrcode: 45015 });
    expect(refused.lastError).toContain("48小时");
    expect(textsTo("oOutLate001")).toEqual([]);
  });

  it("sends 5 messages after a fan's message and refuses the 6th (45047), and the quota is a setting", async () => {
    await fanWhoJustWrote("oOutQuota01");
    const rows = await enqueue(...Array.from({ length: 6 }, (_, i) => text("oOutQuota01", `第${i + 1}条`)));
    dispatcher().start();
    const settled = await settle(rows.map((r) => r.id));
    expect(settled.map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent", "sent", "refused"]);
    expect(settled[5].lastErrcode).toBe(45047);
    expect(textsTo("oOutQuota01")).toEqual(["第1条", "第2条", "第3条", "第4条", "第5条"]);

    await settings.set("quota.afterMessage.count", 6);
    const [more] = await enqueue(text("oOutQuota01", "第7条"));
    const [sent] = await settle([more.id]);
    expect(sent.status).toBe("sent");
    await settings.set("quota.afterMessage.count", 5);
  });

  it("keeps a fan's messages in order even when the first one needs retries", async () => {
    await fanWhoJustWrote("oOutOrder01");
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: -1, times: 2 });
    const rows = await enqueue(...["一", "二", "三", "四"].map((c) => text("oOutOrder01", c)));
    dispatcher().start();
    dispatcher().start();
    await settle(rows.map((r) => r.id));
    expect(textsTo("oOutOrder01")).toEqual(["一", "二", "三", "四"]);
  });

  it("publishes menus in order, so the last one published is the one WeChat keeps even when the first needs retries", async () => {
    fake.state.failNext("/cgi-bin/menu/create", { errcode: -1, times: 1 });
    const menu = (name: string): OutboundRequest => ({ kind: "menu_create", menu: { button: [{ type: "click", name, key: `KEY_${name.length}` }] } });
    const rows = await enqueue(menu("旧菜单"), menu("新的菜单"));
    dispatcher().start();
    const settled = await settle(rows.map((r) => r.id));
    expect(settled.map((row) => row.status)).toEqual(["sent", "sent"]);
    expect(settled[1].sentAt!.getTime()).toBeGreaterThanOrEqual(settled[0].sentAt!.getTime());
    expect((fake.state.menu as { button: { name: string }[] }).button[0].name).toBe("新的菜单");
  });

  it("never sends a row twice with three dispatchers running at once", async () => {
    const fans = Array.from({ length: 15 }, (_, i) => `oOutMany${String(i).padStart(3, "0")}`);
    for (const fan of fans) await fanWhoJustWrote(fan);
    const requests = fans.flatMap((fan) => [1, 2, 3].map((n) => text(fan, `${fan}-${n}`)));
    const rows = await enqueue(...requests);
    for (let i = 0; i < 3; i++) dispatcher({ batchSize: 7 }).start();
    const settled = await settle(rows.map((r) => r.id), 20_000);
    expect(settled.every((r) => r.status === "sent")).toBe(true);
    for (const fan of fans) expect(textsTo(fan)).toEqual([1, 2, 3].map((n) => `${fan}-${n}`));
    expect(fake.state.messagesTo(fans[0])).toHaveLength(3);
  });

  it("sends template messages with the row id as client_msg_id and keeps WeChat's 64-bit msgid", async () => {
    await fanWhoJustWrote("oOutTpl0001");
    const [row] = await enqueue({
      kind: "template",
      template: { toUser: "oOutTpl0001", templateId: "TPL_BILL", url: "https://h5.example/bill/2026-10", data: { thing1: { value: "10月水费" } } },
      ref: "bill:2026-10:1001",
    });
    await dispatcher().runOnce();
    const [sent] = await settle([row.id]);
    expect(sent.status).toBe("sent");
    const msgId = (sent.result as { msgId: string }).msgId;
    expect(typeof msgId).toBe("string");
    expect(BigInt(msgId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const [template] = fake.state.messagesTo("oOutTpl0001").filter((m) => m.kind === "template");
    expect((template.body as { client_msg_id: string }).client_msg_id).toBe(row.id.replace(/-/g, ""));
  });

  it("takes back rows claimed by a dispatcher that died and sends them", async () => {
    await fanWhoJustWrote("oOutCrash01");
    const [row] = await enqueue(text("oOutCrash01", "崩溃后也要送达"));
    // Simulate a dispatcher that claimed the row and died before recording anything.
    await dataSource.getRepository(OutboxMessage).update(row.id, {
      status: "sending",
      claimedBy: "dispatcher-dead:1",
      claimExpiresAt: new Date(Date.now() - 1000),
      attempts: 1,
    });
    await dispatcher().runOnce();
    await dispatcher().runOnce();
    const [sent] = await settle([row.id]);
    expect(sent.status).toBe("sent");
    expect(textsTo("oOutCrash01")).toEqual(["崩溃后也要送达"]);
  });
});
