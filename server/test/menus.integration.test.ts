import { CONTACT_AGENT_MENU_KEY, defaultMenu } from "../src/modules/menus/defaultMenu";
import { UNKNOWN_CLICK_TEXT } from "../src/modules/menus/menuClicks";
import { CONTACT_AGENT_TEXT } from "../src/modules/menus/menusModule";
import { WATER_BILL_MENU_KEY } from "../src/modules/water/billChat";
import type { RunningServer } from "../src/server";
import { api, eventually, makeAgent, replyText } from "./conversationsHelpers";
import { deliver, eventXml } from "./support/wechatFan";
import { startWaterHarness, type WaterHarness } from "./waterHelpers";

/**
 * Custom menus on MariaDB + Redis in sandbox mode (the fake WeChat in-process): the default menu seeded and
 * published on first start, the editor's validation (nothing stored or queued for an invalid menu),
 * publishing through exactly one outbox row, the read-back, click handlers, the welcome text, and roles.
 */
describe("custom menus (MariaDB + Redis, sandbox WeChat)", () => {
  let h: WaterHarness;
  let admin: Awaited<ReturnType<typeof makeAgent>>;
  const server = () => h.server;
  const fake = () => h.server.context.sandbox!.fake;
  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);
  const menuRows = async () => Number((await query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'menu_create'"))[0].n);
  const buttonNames = (menu: any) => menu.button.map((b: any) => [b.name, (b.sub_button ?? []).map((s: any) => s.name)]);

  let eventTime = Math.floor(Date.now() / 1000);
  /** The fan taps a CLICK item (each tap its own CreateTime, as WeChat's dedupe key includes it). */
  async function fanClicks(s: RunningServer, openid: string, key: string) {
    s.context.sandbox?.fake.upsertFan({ openId: openid, nickname: openid, subscribed: true });
    const xml = eventXml({ from: openid, event: "CLICK", createTime: ++eventTime, eventKey: key });
    return deliver({ url: s.url, token: s.config.wechat.token, appId: s.config.wechat.appId }, xml);
  }

  beforeAll(async () => {
    h = await startWaterHarness("menus");
    // Offline: an online agent could take the 联系客服 conversation before the test looks at the queue.
    admin = await makeAgent(h.server, { role: "admin", status: "offline" });
    // Human service all day, so the 联系客服 test does not depend on the hour it runs at.
    await h.server.settings.set("service.hoursStart", "00:00");
    await h.server.settings.set("service.hoursEnd", "24:00");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("seeds the default menu as the draft and, in the sandbox, publishes it on first start (the simulator shows it)", async () => {
    const published = await eventually(() => fake().menu ?? undefined);
    expect(buttonNames(published)).toEqual([
      ["我的用水", ["用户绑定", "账单订阅", "水费查询", "在线缴费"]],
      ["用水指南", ["用水申请", "业务流程", "收费标准", "营业网点"]],
      ["水务资讯", ["停水通知", "水质公告", "企业动态", "联系客服"]],
    ]);
    const state = await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie });
    expect(state.status).toBe(200);
    expect(state.body.draft.menu).toEqual(defaultMenu(server().config.publicUrl));
    await eventually(async () => (await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie })).body.publication?.status === "published");
    expect(state.body.keys.map((k: { key: string }) => k.key)).toEqual(expect.arrayContaining([WATER_BILL_MENU_KEY, CONTACT_AGENT_MENU_KEY]));
    // View items open the H5 pages through the silent OAuth; 水费查询 is the key the water module answers.
    const [mine, , news] = state.body.draft.menu.button;
    expect(mine.sub_button[0]).toEqual({ type: "view", name: "用户绑定", url: `${server().config.publicUrl}/api/fan/oauth/start?next=${encodeURIComponent("/h5/#/bind")}` });
    expect(mine.sub_button[2]).toEqual({ type: "click", name: "水费查询", key: WATER_BILL_MENU_KEY });
    expect(news.sub_button[0].url).toContain(encodeURIComponent("/h5/#/notices?kind=outage"));
    expect(news.sub_button[3]).toEqual({ type: "click", name: "联系客服", key: CONTACT_AGENT_MENU_KEY });
    const [audit] = await query("SELECT actor_type, actor_id FROM audit_log WHERE action = 'menu.publish'");
    expect(audit).toEqual({ actor_type: "system", actor_id: "menus" });
  });

  it("refuses an invalid menu with the item and the reason, storing and publishing nothing", async () => {
    await eventually(async () => (await menuRows()) === 1);
    const before = (await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie })).body.draft;
    const invalid = {
      button: [
        { type: "click", name: "查水费", key: "WATER_BILL" },
        { name: "服务", sub_button: [{ type: "click", name: "报修", key: "R" }, { type: "view", name: "网点", url: "https://x.example/" }, { type: "click", name: "超".repeat(21), key: "L" }] },
      ],
    };
    for (const [method, path] of [
      ["POST", "/api/console/menus/publish"],
      ["PUT", "/api/console/menus/draft"],
    ]) {
      const refused = await api(server(), method, path, { cookie: admin.cookie, body: { menu: invalid } });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: "invalid_menu", message: "第 2 个菜单的第 3 个子菜单：名称超过 60 字节（当前 63 字节，一个汉字占 3 字节）" });
      expect(refused.body.error.details).toEqual([{ at: [1, 2], field: "name", message: refused.body.error.message }]);
    }
    const tooMany = await api(server(), "POST", "/api/console/menus/publish", {
      cookie: admin.cookie,
      body: { menu: { button: [1, 2, 3, 4].map((i) => ({ type: "click", name: `菜单${i}`, key: `K${i}` })) } },
    });
    expect(tooMany.body.error.message).toBe("一级菜单最多 3 个（当前 4 个）");
    const noBody = await api(server(), "PUT", "/api/console/menus/draft", { cookie: admin.cookie, body: {} });
    expect(noBody.status).toBe(400);

    expect(await menuRows()).toBe(1);
    expect(Number((await query("SELECT COUNT(*) AS n FROM menu_publication"))[0].n)).toBe(1);
    expect((await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie })).body.draft).toEqual(before);
  });

  it("publishes through exactly one outbox row; the fake WeChat receives it, the read-back shows it, the audit names the admin", async () => {
    const menu = {
      button: [
        { type: "click", name: "查水费", key: WATER_BILL_MENU_KEY },
        { name: "服务", sub_button: [{ type: "view", name: "绑定户号", url: "https://water.example.com/h5/" }, { type: "click", name: "联系客服", key: CONTACT_AGENT_MENU_KEY }] },
      ],
    };
    const saved = await api(server(), "PUT", "/api/console/menus/draft", { cookie: admin.cookie, body: { menu } });
    expect(saved.status).toBe(200);
    expect(saved.body.draft.menu).toEqual(menu);
    expect(await menuRows()).toBe(1); // saving a draft publishes nothing

    const before = await menuRows();
    const published = await api(server(), "POST", "/api/console/menus/publish", { cookie: admin.cookie });
    expect(published.status).toBe(202);
    expect(await menuRows()).toBe(before + 1);
    const [row] = await query("SELECT id, payload, ref FROM outbox_message WHERE kind = 'menu_create' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(row.payload)).toEqual(menu);
    expect(row.ref).toBe(`menu_publication:${published.body.publication.id}`);

    await eventually(() => (fake().menu && buttonNames(fake().menu)[0][0] === "查水费") || undefined);
    const state = await eventually(async () => {
      const body = (await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie })).body;
      return body.publication.status === "published" ? body : undefined;
    });
    expect(state.publication).toMatchObject({ menu, publishedBy: admin.name, error: null });
    const current = await api(server(), "GET", "/api/console/menus/current", { cookie: admin.cookie });
    expect(current.status).toBe(200);
    expect(current.body.menu).toMatchObject(menu);

    const audits = await query("SELECT actor_type, actor_id, detail FROM audit_log WHERE action = 'menu.publish' ORDER BY id");
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({ actor_type: "agent", actor_id: admin.id });
    expect(JSON.parse(audits[1].detail)).toMatchObject({ publicationId: published.body.publication.id, outboxId: row.id, buttons: ["查水费", "服务"] });
  });

  it("shows WeChat's refusal on the publication, and a read-back failure as 502", async () => {
    fake().failNext("/cgi-bin/menu/create", { errcode: 40018, errmsg: "invalid button name size" });
    const published = await api(server(), "POST", "/api/console/menus/publish", { cookie: admin.cookie });
    expect(published.status).toBe(202);
    const state = await eventually(async () => {
      const body = (await api(server(), "GET", "/api/console/menus", { cookie: admin.cookie })).body;
      return body.publication.status === "failed" ? body : undefined;
    });
    expect(state.publication.error).toContain("40018");

    fake().failNext("/cgi-bin/menu/get", { errcode: 40097, errmsg: "invalid args" });
    const current = await api(server(), "GET", "/api/console/menus/current", { cookie: admin.cookie });
    expect(current.status).toBe(502);
    expect(current.body.error.message).toContain("读取微信当前菜单失败");
  });

  it("answers menu clicks: 水费查询 by the water module, 联系客服 by queueing for a human, an unknown key politely", async () => {
    const bill = await fanClicks(server(), "oMenuFanBill000000000000001", WATER_BILL_MENU_KEY);
    expect(replyText(bill)).toContain("您还没有绑定水费户号");

    const openid = "oMenuFanHuman00000000000001";
    const human = await fanClicks(server(), openid, CONTACT_AGENT_MENU_KEY);
    expect(replyText(human)).toBe(await server().settings.get("conversation.queuedText"));
    const [conversation] = await query("SELECT id, status FROM conversation WHERE open_fan_openid = ?", [openid]);
    expect(conversation.status).toBe("waiting");
    const messages = await query("SELECT kind, content FROM conversation_message WHERE conversation_id = ? AND direction = 'in'", [conversation.id]);
    expect(messages).toEqual([{ kind: "text", content: CONTACT_AGENT_TEXT }]);
    const [queued] = await query("SELECT detail FROM conversation_event WHERE conversation_id = ? AND type = 'queued'", [conversation.id]);
    expect(JSON.parse(queued.detail)).toEqual({ reason: "human_requested" });
    // Tapping again while waiting queues nothing new.
    await fanClicks(server(), openid, CONTACT_AGENT_MENU_KEY);
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "1" }]);

    const unknown = await fanClicks(server(), "oMenuFanUnknown000000000001", "NO_SUCH_KEY");
    expect(replyText(unknown)).toBe(UNKNOWN_CLICK_TEXT);
  });

  it("lets admins edit the subscribe welcome text, which the next follower gets", async () => {
    const read = await api(server(), "GET", "/api/console/menus/welcome", { cookie: admin.cookie });
    expect(read.body.text).toContain("欢迎关注");
    const saved = await api(server(), "PUT", "/api/console/menus/welcome", { cookie: admin.cookie, body: { text: "  欢迎关注！点击“我的用水”绑定户号。 " } });
    expect(saved).toEqual({ status: 200, body: { text: "欢迎关注！点击“我的用水”绑定户号。" } });
    const tooLong = await api(server(), "PUT", "/api/console/menus/welcome", { cookie: admin.cookie, body: { text: "长".repeat(601) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toBe("关注回复语最多 600 个字");

    const s = server();
    const follow = await deliver(
      { url: s.url, token: s.config.wechat.token, appId: s.config.wechat.appId },
      eventXml({ from: "oMenuFanFollow0000000000001", event: "subscribe", createTime: ++eventTime }),
    );
    expect(replyText(follow)).toBe("欢迎关注！点击“我的用水”绑定户号。");
    expect(await query("SELECT actor_id FROM audit_log WHERE action = 'welcome.update'")).toEqual([{ actor_id: admin.id }]);
  });

  it("lets only admins use the editor: 401 without a session, 403 for agents and supervisors", async () => {
    const agent = await makeAgent(server(), { role: "agent", status: "offline" });
    const supervisor = await makeAgent(server(), { role: "supervisor", status: "offline" });
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/console/menus"],
      ["PUT", "/api/console/menus/draft", { menu: defaultMenu("https://x.example") }],
      ["POST", "/api/console/menus/publish", {}],
      ["GET", "/api/console/menus/current"],
      ["GET", "/api/console/menus/welcome"],
      ["PUT", "/api/console/menus/welcome", { text: "x" }],
    ];
    const rowsBefore = await menuRows();
    for (const [method, path, body] of routes) {
      expect([method, path, (await api(server(), method, path, { body })).status]).toEqual([method, path, 401]);
      expect([method, path, (await api(server(), method, path, { body, cookie: agent.cookie })).status]).toEqual([method, path, 403]);
      expect([method, path, (await api(server(), method, path, { body, cookie: supervisor.cookie })).status]).toEqual([method, path, 403]);
    }
    expect(await menuRows()).toBe(rowsBefore);
  });
});
