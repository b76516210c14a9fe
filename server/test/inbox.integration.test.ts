import type { DataSource } from "typeorm";
import { systemClock } from "../src/infra/clock";
import { openDatabase } from "../src/infra/db/dataSource";
import { createLogger } from "../src/infra/logger";
import { Inbox } from "../src/modules/inbox/inbox";
import { InboxWriter } from "../src/modules/inbox/inboxWriter";
import { InboundMessageRow } from "../src/modules/inbox/inboundMessage.entity";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import type { InboundMessage } from "../src/wechat/callback/messages";
import { createTestDatabase, type TestDatabase } from "./support/mariadb";
import { nextMsgId } from "./support/wechatFan";

const text = (from: string, content: string): InboundMessage => {
  const msgId = nextMsgId();
  return { kind: "text", toUserName: "gh_test", fromUserName: from, createTime: Math.floor(Date.now() / 1000), dedupeKey: `msg:${msgId}`, rawXml: "<xml/>", msgId, content };
};

/** Routing is durable: a message whose handling failed (or whose process died) is routed again by the sweep. */
describe("inbox routing on MariaDB", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let inbox: Inbox;
  let failNext = false;
  const seen: { content: string; via: string; inboundId: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("inbox");
    dataSource = await openDatabase({ kind: "mysql", url: db.url });
    inbox = new Inbox(new InboxWriter(dataSource, systemClock), dataSource, systemClock, createLogger("silent"));
    inbox.addReplyHook((message, context) => {
      if (message.kind !== "text") return null;
      if (failNext) {
        failNext = false;
        throw new Error("conversation store unavailable");
      }
      seen.push({ content: message.content, via: context.via, inboundId: context.inboundId });
      return { type: "text", content: `收到：${message.content}` };
    });
  });
  afterAll(async () => {
    await inbox?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  const row = (dedupeKey: string) => dataSource.getRepository(InboundMessageRow).findOneByOrFail({ dedupeKey });

  it("marks a handled message routed", async () => {
    const message = text("oInboxFan01", "你好");
    expect(await inbox.handle(message)).toEqual({ type: "text", content: "收到：你好" });
    await inbox.flushRouted();
    expect((await row(message.dedupeKey)).routedAt).toBeInstanceOf(Date);
  });

  it("leaves a message whose hook failed unrouted, re-routes it in the sweep and sends the reply through the outbox", async () => {
    failNext = true;
    const message = text("oInboxFan02", "停水了");
    expect(await inbox.handle(message)).toBeNull();
    await inbox.flushRouted();
    const stored = await row(message.dedupeKey);
    expect(stored.routedAt).toBeNull();

    expect(await inbox.sweepUnrouted(0)).toBeGreaterThanOrEqual(1);
    expect(seen.filter((s) => s.content === "停水了")).toEqual([{ content: "停水了", via: "sweep", inboundId: stored.id }]);
    expect((await row(message.dedupeKey)).routedAt).toBeInstanceOf(Date);
    const [outbound] = await dataSource.getRepository(OutboxMessage).findBy({ ref: `inbound:${stored.id}` });
    expect(outbound.payload).toMatchObject({ type: "text", toUser: "oInboxFan02", content: "收到：停水了" });

    // Nothing left to sweep.
    expect(await inbox.sweepUnrouted(0)).toBe(0);
  });

  it("under a burst, acknowledges first and routes a fan's messages afterwards, one at a time in arrival order", async () => {
    const order: string[] = [];
    let failRouter = false;
    // passiveWaitBacklog 0: every callback is acknowledged without waiting for the routers (as under load).
    const routed = new Inbox(new InboxWriter(dataSource, systemClock), dataSource, systemClock, createLogger("silent"), { passiveWaitBacklog: 0 });
    routed.addRouter(async (message, context) => {
      if (message.kind !== "text") return null;
      if (failRouter) throw new Error("queue unavailable");
      // Slower for the first message: a later one must still wait for it.
      await new Promise((r) => setTimeout(r, message.content === "一" ? 50 : 1));
      order.push(`${message.content}@${context.via}`);
      return message.content === "三" ? { type: "text", content: "已为您排队" } : null;
    });
    try {
      const messages = ["一", "二", "三"].map((content) => text("oInboxRoute1", content));
      const answers = await Promise.all(messages.map((m) => routed.handle(m)));
      expect(answers).toEqual([null, null, null]); // acknowledged before routing
      await routed.idle();
      expect(order).toEqual(["一@callback", "二@callback", "三@callback"]);
      await routed.flushRouted();
      for (const m of messages) expect((await row(m.dedupeKey)).routedAt).toBeInstanceOf(Date);
      const third = await row(messages[2].dedupeKey);
      const [queuedNotice] = await dataSource.getRepository(OutboxMessage).findBy({ ref: `inbound:${third.id}` });
      expect(queuedNotice.payload).toMatchObject({ type: "text", content: "已为您排队" });

      failRouter = true;
      const failing = text("oInboxRoute1", "四");
      await routed.handle(failing);
      await routed.idle();
      await routed.flushRouted();
      expect((await row(failing.dedupeKey)).routedAt).toBeNull();
      failRouter = false;
      await routed.sweepUnrouted(0);
      expect(order).toContain("四@sweep");
      expect((await row(failing.dedupeKey)).routedAt).toBeInstanceOf(Date);
    } finally {
      await routed.stop();
    }
  });

  it("when routing keeps up, gives the router's answer as the passive reply and sends nothing through the outbox", async () => {
    const routed = new Inbox(new InboxWriter(dataSource, systemClock), dataSource, systemClock, createLogger("silent"));
    routed.addRouter(async (message) => (message.kind === "text" && message.content === "人工" ? { type: "text", content: "正在为您转接人工客服" } : null));
    try {
      const message = text("oInboxPassive", "人工");
      expect(await routed.handle(message)).toEqual({ type: "text", content: "正在为您转接人工客服" });
      await routed.idle();
      const stored = await row(message.dedupeKey);
      expect(await dataSource.getRepository(OutboxMessage).countBy({ ref: `inbound:${stored.id}` })).toBe(0);
    } finally {
      await routed.stop();
    }
  });

  it("runs every router in order even after one has answered; the first answer is the reply", async () => {
    const routed = new Inbox(new InboxWriter(dataSource, systemClock), dataSource, systemClock, createLogger("silent"));
    const ran: string[] = [];
    routed.addRouter(async () => (ran.push("queue"), { type: "text", content: "正在为您转接人工客服" }));
    routed.addRouter(async () => (ran.push("trail"), null));
    routed.addRouter(async () => (ran.push("keyword"), { type: "text", content: "第二个回答" }));
    try {
      expect(await routed.handle(text("oInboxEvery1", "人工"))).toEqual({ type: "text", content: "正在为您转接人工客服" });
      await routed.idle();
      expect(ran).toEqual(["queue", "trail", "keyword"]);
    } finally {
      await routed.stop();
    }
  });

  it("sends the answer through the outbox when the router is slower than the callback may wait", async () => {
    const routed = new Inbox(new InboxWriter(dataSource, systemClock), dataSource, systemClock, createLogger("silent"), { passiveWaitMs: 20 });
    routed.addRouter(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return { type: "text", content: "稍后回复" };
    });
    try {
      const message = text("oInboxSlow01", "慢");
      expect(await routed.handle(message)).toBeNull();
      await routed.idle();
      const stored = await row(message.dedupeKey);
      const [sent] = await dataSource.getRepository(OutboxMessage).findBy({ ref: `inbound:${stored.id}` });
      expect(sent.payload).toMatchObject({ content: "稍后回复" });
    } finally {
      await routed.stop();
    }
  });
});
