import { Fan } from "../src/modules/fans/fan.entity";
import {
  api,
  eventually,
  fanSays,
  fanSendsXml,
  follower,
  makeAgent,
  messageXml,
  replyText,
  startHarness,
  type Harness,
} from "./conversationsHelpers";
import { eventXml } from "./support/wechatFan";

/** How fans' messages reach human service: queue, keywords, 人工, off-hours leave-messages, blacklist, events, kinds. */
describe("routing fans' messages (MariaDB + Redis)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness("convroute");
  });

  afterAll(async () => {
    await h?.close();
  });

  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);
  const seconds = () => Math.floor(h.clock.now().getTime() / 1000);

  it("puts a fan's first message in the waiting queue, answers with the queued text and tells every agent", async () => {
    const openid = follower(h.fake, "oRouteNew0001");
    const response = await fanSays(h, openid, "你好，我家停水了");
    expect(replyText(response)).toBe("您好，正在为您转接人工客服，请稍候……");

    const [conversation] = await query("SELECT * FROM conversation WHERE fan_openid = ?", [openid]);
    expect(conversation).toMatchObject({ status: "waiting", agent_id: null, open_fan_openid: openid });
    const messages = await query("SELECT direction, kind, content FROM conversation_message WHERE conversation_id = ? ORDER BY created_at, id", [conversation.id]);
    expect(messages[0]).toMatchObject({ direction: "in", kind: "text", content: "你好，我家停水了" });
    const added = h.pushes.find((p) => p.event === "queue:added" && p.payload.id === conversation.id);
    expect(added).toMatchObject({ target: "agents" });
    expect(added!.payload.fan.openid).toBe(openid);

    // A second message joins the same waiting conversation; the queue does not grow.
    await fanSays(h, openid, "水龙头一滴水都没有");
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "1" }]);
  });

  it("keeps FIFO order in the waiting list", async () => {
    const agent = await makeAgent(h.server);
    const first = follower(h.fake, "oRouteFifo001");
    const second = follower(h.fake, "oRouteFifo002");
    await fanSays(h, first, "先来的");
    h.clock.advance(1000);
    await fanSays(h, second, "后来的");
    const waiting = await api(h.server, "GET", "/api/console/conversations/waiting", { cookie: agent.cookie });
    const order = waiting.body.conversations.map((c: { fan: { openid: string } }) => c.fan.openid);
    expect(order.indexOf(first)).toBeLessThan(order.indexOf(second));
  });

  it("answers 人工 and 00 with the queued text", async () => {
    const openid = follower(h.fake, "oRouteHuman01");
    expect(replyText(await fanSays(h, openid, "转人工"))).toContain("人工客服");
    expect(replyText(await fanSays(h, openid, "00"))).toContain("人工客服");
    const [conversation] = await query("SELECT status FROM conversation WHERE fan_openid = ?", [openid]);
    expect(conversation.status).toBe("waiting");
  });

  it("answers admin keyword rules first, in order, without queueing", async () => {
    const admin = await makeAgent(h.server, { role: "admin" });
    const create = (keyword: string, matchType: string, reply: string) =>
      api(h.server, "POST", "/api/console/keywords", { cookie: admin.cookie, body: { keyword, matchType, reply } });
    const fee = await create("水费", "contains", "水费可在菜单“缴费”中查询和缴纳。");
    await create("停水通知", "exact", "停水通知请查看菜单“公告”。");
    expect(fee.status).toBe(201);

    const openid = follower(h.fake, "oRouteKeywd01");
    expect(replyText(await fanSays(h, openid, "我想问下水费怎么交"))).toBe("水费可在菜单“缴费”中查询和缴纳。");
    expect(replyText(await fanSays(h, openid, "停水通知"))).toBe("停水通知请查看菜单“公告”。");
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "0" }]);

    // Moved to the bottom and disabled, a rule no longer answers first.
    await api(h.server, "POST", `/api/console/keywords/${fee.body.rule.id}/move`, { cookie: admin.cookie, body: { to: "bottom" } });
    await api(h.server, "PATCH", `/api/console/keywords/${fee.body.rule.id}`, { cookie: admin.cookie, body: { enabled: false } });
    expect(replyText(await fanSays(h, openid, "水费"))).toContain("人工客服");

    const agent = await makeAgent(h.server);
    expect((await api(h.server, "GET", "/api/console/keywords", { cookie: agent.cookie })).status).toBe(403);
  });

  it("outside service hours keeps a leave-message, answers the off-hours reply once, and agents see it unread", async () => {
    await h.server.settings.set("service.hoursStart", "08:30");
    await h.server.settings.set("service.hoursEnd", "21:30");
    const realNow = h.clock.now();
    try {
      // 23:00 China time = 15:00 UTC.
      const night = new Date(realNow);
      night.setUTCHours(15, 0, 0, 0);
      h.clock.set(night);
      const openid = follower(h.fake, "oRouteNight01");
      const first = await fanSays(h, openid, "晚上停水了，明天能修吗");
      expect(replyText(first)).toContain("非人工服务时间");
      h.clock.advance(60_000);
      expect(replyText(await fanSays(h, openid, "地址是幸福路 8 号"))).toBeNull();
      expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "0" }]);

      const agent = await makeAgent(h.server);
      const list = await api(h.server, "GET", "/api/console/leave-messages", { cookie: agent.cookie });
      const mine = list.body.items.filter((item: { fan: { openid: string } }) => item.fan.openid === openid);
      expect(mine.map((item: { content: string }) => item.content)).toEqual(["地址是幸福路 8 号", "晚上停水了，明天能修吗"]);
      expect(list.body.unreadCount).toBeGreaterThanOrEqual(2);
      expect(h.pushes.some((p) => p.event === "leave:new" && p.payload.fan.openid === openid)).toBe(true);
    } finally {
      h.clock.set(realNow);
      await h.server.settings.set("service.hoursStart", "00:00");
      await h.server.settings.set("service.hoursEnd", "24:00");
    }
  });

  it("answers a blacklisted fan with the blacklist reply and never queues them", async () => {
    const agent = await makeAgent(h.server);
    const openid = follower(h.fake, "oRouteBlack01");
    await fanSays(h, openid, "第一次来");
    const blacklisted = await api(h.server, "POST", `/api/console/customers/${openid}/blacklist`, { cookie: agent.cookie, body: { reason: "辱骂客服" } });
    expect(blacklisted.body.fan).toMatchObject({ blacklisted: true, blacklistReason: "辱骂客服", blacklistedBy: agent.id });
    // Blacklisting ended the open conversation as refused, reason kept.
    const [closed] = await query("SELECT status, outcome, outcome_reason FROM conversation WHERE fan_openid = ?", [openid]);
    expect(closed).toMatchObject({ status: "closed", outcome: "refused", outcome_reason: "加入黑名单：辱骂客服" });

    expect(replyText(await fanSays(h, openid, "人工"))).toBe("您好，您的消息已收到。");
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ? AND status <> 'closed'", [openid])).toEqual([{ n: "0" }]);

    await api(h.server, "DELETE", `/api/console/customers/${openid}/blacklist`, { cookie: agent.cookie });
    expect(replyText(await fanSays(h, openid, "人工"))).toContain("人工客服");
  });

  it("records follows, menu clicks, views and QR scans in the fan's trail without queueing", async () => {
    const openid = follower(h.fake, "oRouteTrail01");
    const t = seconds();
    await fanSendsXml(h, eventXml({ from: openid, event: "subscribe", createTime: t - 4 }));
    await fanSendsXml(h, eventXml({ from: openid, event: "CLICK", eventKey: "MENU_BILL", createTime: t - 3 }));
    await fanSendsXml(h, eventXml({ from: openid, event: "VIEW", eventKey: "https://example.com/bills", createTime: t - 2 }));
    await fanSendsXml(h, eventXml({ from: openid, event: "SCAN", eventKey: "outlet_7", createTime: t - 1, extra: "<Ticket><![CDATA[x]]></Ticket>" }));
    const trail = await eventually(async () => {
      const rows = await query("SELECT kind FROM fan_trail WHERE openid = ? ORDER BY at DESC", [openid]);
      return rows.length === 4 ? rows : undefined;
    });
    expect(trail.map((row: { kind: string }) => row.kind)).toEqual(["qr_scan", "menu_view", "menu_click", "follow"]);
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "0" }]);

    const agent = await makeAgent(h.server);
    const profile = await api(h.server, "GET", `/api/console/customers/${openid}`, { cookie: agent.cookie });
    expect(profile.body.trail.map((entry: { kind: string }) => entry.kind)).toEqual(["qr_scan", "menu_view", "menu_click", "follow"]);
    expect(profile.body.trail[2].detail).toEqual({ key: "MENU_BILL" });
  });

  it("stores images, voice (with recognition), locations (with a map link) and links in the transcript", async () => {
    const openid = follower(h.fake, "oRouteKinds01");
    const t = seconds();
    await fanSendsXml(h, messageXml.image(openid, t));
    await fanSendsXml(h, messageXml.voice(openid, t + 1, "我家水表坏了"));
    await fanSendsXml(h, messageXml.location(openid, t + 2, "幸福路8号"));
    await fanSendsXml(h, messageXml.link(openid, t + 3, "停水公告"));
    const supervisor = await makeAgent(h.server, { role: "supervisor" });
    const [conversation] = await query("SELECT id FROM conversation WHERE fan_openid = ?", [openid]);
    const detail = await api(h.server, "GET", `/api/console/conversations/${conversation.id}`, { cookie: supervisor.cookie });
    const incoming = detail.body.messages.filter((m: { direction: string }) => m.direction === "in");
    expect(incoming.map((m: { kind: string }) => m.kind)).toEqual(["image", "voice", "location", "link"]);
    expect(incoming[0].media).toMatchObject({ picUrl: "http://mmbiz.example/pic.jpg", mediaId: "media_in_1" });
    expect(incoming[1]).toMatchObject({ content: "我家水表坏了", preview: "[语音] 我家水表坏了" });
    expect(incoming[2].media).toMatchObject({ latitude: 31.2304, longitude: 121.4737, label: "幸福路8号" });
    expect(incoming[2].media.mapUrl).toContain("coord:31.2304,121.4737");
    expect(incoming[3].media).toMatchObject({ title: "停水公告", url: "https://example.com/a" });
  });

  it("routes the same inbound message once even when the sweep runs its hooks again", async () => {
    const openid = follower(h.fake, "oRouteTwice01");
    await fanSays(h, openid, "只处理一次");
    const [inbound] = await query("SELECT id, payload, raw_xml FROM inbound_message WHERE openid = ?", [openid]);
    await h.server.inbox.flushRouted();
    await query("UPDATE inbound_message SET routed_at = NULL, received_at = ? WHERE id = ?", [new Date(Date.now() - 3600_000), inbound.id]);
    h.clock.advance(60_000);
    expect(await h.server.inbox.sweepUnrouted(30_000)).toBeGreaterThanOrEqual(1);
    expect(await query("SELECT COUNT(*) AS n FROM conversation_message WHERE fan_openid = ? AND direction = 'in'", [openid])).toEqual([{ n: "1" }]);
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "1" }]);
  });

  it("keeps one open conversation per fan when their messages arrive at once", async () => {
    const openid = follower(h.fake, "oRouteBurst01");
    await Promise.all(Array.from({ length: 8 }, (_, i) => fanSays(h, openid, `第${i + 1}条`)));
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "1" }]);
    expect(await query("SELECT COUNT(*) AS n FROM conversation_message WHERE fan_openid = ? AND direction = 'in'", [openid])).toEqual([{ n: "8" }]);
    expect((await h.server.dataSource.getRepository(Fan).findOneBy({ openid }))?.blacklisted).toBe(false);
  });
});
