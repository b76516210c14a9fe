import { chinaMonth } from "../src/modules/water/tariff";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { cookieFor, makeAgent } from "./agentsHelpers";
import { api, eventually, replyText } from "./conversationsHelpers";
import { deliver, eventXml } from "./support/wechatFan";
import { bindDemo, fanTypes, newPhone, startWaterHarness, verifiedFan, water, type WaterHarness } from "./waterHelpers";

/** Bills, subscriptions and the monthly template push (two instances), and 查水费 in chat. */
describe("water: bills, subscriptions and 查水费 (MariaDB + Redis, two instances)", () => {
  let h: WaterHarness;
  const [zhang, li, wang] = DEMO_WATER_ACCOUNTS;

  beforeAll(async () => {
    h = await startWaterHarness("waterbill", { instances: 2 });
    await h.server.settings.set("service.hoursStart", "00:00");
    await h.server.settings.set("service.hoursEnd", "24:00");
  });
  afterAll(async () => {
    await h?.close();
  });

  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);
  /** Registers the fan as a follower on both instances' sandbox WeChat (either dispatcher may send). */
  const follow = (openid: string) => {
    for (const server of h.servers) server.context.sandbox!.fake.upsertFan({ openId: openid, nickname: openid, subscribed: true });
  };

  it("lists 36 months of bills, newest first, with consistent readings, tiers and paid status", async () => {
    const cookie = await verifiedFan(h.server, "oFanBills000000000000000001", newPhone());
    const id = (await bindDemo(h.server, cookie, zhang.customerNumber, zhang.ownerName)).body.account.id;
    const response = await api(h.server, "GET", `/api/fan/accounts/${id}/bills?months=36`, { cookie });
    expect(response.status).toBe(200);
    const { bills, account, balanceFen } = response.body;
    expect(account).toMatchObject({ id, customerNumber: zhang.customerNumber, ownerName: "张*国" });
    expect(balanceFen).toBe(0);
    expect(bills).toHaveLength(36);
    expect(bills[0].month).toBe(chinaMonth(h.clock.now(), -1));
    expect(bills[0]).toMatchObject({ status: "unpaid", paidAt: null });
    expect(bills[1].status).toBe("paid");
    for (let i = 0; i < bills.length; i++) {
      const bill = bills[i];
      expect(bill.volumeM3).toBe(bill.currentReading - bill.previousReading);
      expect(bill.tiers.reduce((sum: number, t: { volumeM3: number }) => sum + t.volumeM3, 0)).toBe(bill.volumeM3);
      expect(bill.tiers.reduce((sum: number, t: { amountFen: number }) => sum + t.amountFen, 0)).toBe(bill.amountFen);
      if (i > 0) {
        expect(bills[i - 1].previousReading).toBe(bill.currentReading);
        expect(bills[i - 1].month > bill.month).toBe(true);
      }
    }
    expect(bills[35].previousReading).toBe(zhang.firstReading);

    const twelve = await api(h.server, "GET", `/api/fan/accounts/${id}/bills?months=12`, { cookie });
    expect(twelve.body.bills).toHaveLength(12);
    expect((await api(h.server, "GET", `/api/fan/accounts/${id}/bills?months=0`, { cookie })).status).toBe(400);

    const detail = await api(h.server, "GET", `/api/fan/accounts/${id}/bills/${bills[5].month}`, { cookie });
    expect(detail.status).toBe(200);
    expect(detail.body.bill).toEqual(bills[5]);
    expect((await api(h.server, "GET", `/api/fan/accounts/${id}/bills/1999-01`, { cookie })).status).toBe(404);
    expect((await api(h.server, "GET", `/api/fan/accounts/${id}/bills/2025-13`, { cookie })).status).toBe(404);
  });

  it("records a payment once, settling unpaid bills oldest first", async () => {
    const gateway = water(h.server).gateway;
    const [latest, previous] = await gateway.bills("310100004", 2);
    expect([latest.status, previous.status]).toEqual(["unpaid", "unpaid"]);
    const paidAt = h.clock.now();
    const result = await gateway.recordPayment("310100004", { paymentRef: "wxpay-test-1", amountFen: previous.amountFen + 100, paidAt });
    expect(result).toEqual({ paymentRef: "wxpay-test-1", balanceFen: 100, settledMonths: [previous.month] });
    // The same reference again (a repeated notify) changes nothing.
    expect(await gateway.recordPayment("310100004", { paymentRef: "wxpay-test-1", amountFen: previous.amountFen + 100, paidAt })).toEqual(result);
    expect(await gateway.balance("310100004")).toBe(100);
    expect((await gateway.bill("310100004", previous.month))!.status).toBe("paid");
    expect((await gateway.bill("310100004", latest.month))!.status).toBe("unpaid");
  });

  it("sends exactly one template per subscribed account and fan when two instances run the monthly push at once", async () => {
    await h.server.settings.set("water.billPush.templateId", "tmpl-water-bill");
    h.clock.advance(6000); // the other instance's settings cache expires

    const fanA = "oFanPushA000000000000000001";
    const fanB = "oFanPushB000000000000000001";
    const fanC = "oFanPushC000000000000000001";
    for (const openid of [fanA, fanB, fanC]) follow(openid);
    const a = await verifiedFan(h.server, fanA, newPhone());
    const b = await verifiedFan(h.servers[1], fanB, newPhone());
    const c = await verifiedFan(h.server, fanC, newPhone());
    const aZhang = (await bindDemo(h.server, a, zhang.customerNumber, zhang.ownerName)).body.account.id;
    const aLi = (await bindDemo(h.server, a, li.customerNumber, li.ownerName)).body.account.id;
    const bZhang = (await bindDemo(h.servers[1], b, zhang.customerNumber, zhang.ownerName)).body.account.id;
    await bindDemo(h.server, c, wang.customerNumber, wang.ownerName); // bound, not subscribed

    const subscribed = await api(h.server, "PUT", "/api/fan/subscriptions", { cookie: a, body: { accountIds: [aZhang, aLi] } });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body.accounts.map((x: { subscribed: boolean }) => x.subscribed)).toEqual([true, true]);
    await api(h.servers[1], "PUT", "/api/fan/subscriptions", { cookie: b, body: { accountIds: [bZhang] } });

    // Two instances at once, each with the locked entry point and the unlocked one (as if the lock had expired).
    const reports = await Promise.all([
      water(h.servers[0]).billPush.runOnce(),
      water(h.servers[1]).billPush.runOnce(),
      water(h.servers[0]).billPush.sendNotices(),
      water(h.servers[1]).billPush.sendNotices(),
    ]);
    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(3);

    const month = chinaMonth(h.clock.now(), -1);
    const notices = await query("SELECT customer_number, month, fan_openid, outbox_id FROM water_bill_notice ORDER BY fan_openid, customer_number");
    expect(notices.map((n: { customer_number: string; fan_openid: string; month: string }) => [n.fan_openid, n.customer_number, n.month])).toEqual([
      [fanA, zhang.customerNumber, month],
      [fanA, li.customerNumber, month],
      [fanB, zhang.customerNumber, month],
    ]);
    expect(await query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'template'")).toEqual([{ n: "3" }]);

    const templates = () => h.servers.flatMap((server) => server.context.sandbox!.fake.templateMessages);
    await eventually(() => templates().length >= 3 || undefined, "three bill notices at the fake WeChat", 20_000);
    expect(templates()).toHaveLength(3);
    const toA = templates().filter((t) => t.toUser === fanA);
    expect(toA).toHaveLength(2);
    const zhangNotice = toA.find((t) => (t.body as { url: string }).url.includes(aZhang))!;
    const body = zhangNotice.body as { url: string; template_id: string; data: Record<string, { value: string }> };
    expect(body.template_id).toBe("tmpl-water-bill");
    // PUBLIC_URL of whichever instance ran it (each test instance has its own port; production shares one).
    expect(h.servers.map((server) => `${server.config.publicUrl}/h5/#/bills/${aZhang}/${month}`)).toContain(body.url);
    const [bill] = await water(h.server).gateway.bills(zhang.customerNumber, 1);
    expect(body.data.character_string1.value).toBe(zhang.customerNumber);
    expect(body.data.thing2.value).toBe(`${Number(month.slice(0, 4))}年${Number(month.slice(5))}月 用水${bill.volumeM3}立方米`);
    expect([...body.data.thing2.value].length).toBeLessThanOrEqual(20);
    expect(body.data.amount3.value).toMatch(/^¥\d+\.\d{2}$/);
    expect(body.data.thing4.value).toBe("待缴费，请及时缴纳");

    // A later run (next day, another instance) sends nothing new.
    const again = await water(h.servers[1]).billPush.runOnce();
    expect(again).toMatchObject({ sent: 0, alreadySent: 3 });
    expect(await query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'template'")).toEqual([{ n: "3" }]);
  });

  it("sends nothing while no template is configured, and schedules from the setting", async () => {
    expect(water(h.server).billPush.currentSchedule).toBe("0 9 5 * *");
    await h.server.settings.set("water.billPush.templateId", "");
    const report = await water(h.server).billPush.sendNotices();
    expect(report.skipped).toBe("no_template");
    await h.server.settings.set("water.billPush.templateId", "tmpl-water-bill");
  });

  it("answers 查水费 with the latest bills of the bound accounts, without queueing a conversation", async () => {
    const openid = "oFanChat0000000000000000001";
    follow(openid);
    const cookie = await verifiedFan(h.server, openid, newPhone());
    await bindDemo(h.server, cookie, zhang.customerNumber, zhang.ownerName);
    await bindDemo(h.server, cookie, li.customerNumber, li.ownerName);
    const [zhangBill] = await water(h.server).gateway.bills(zhang.customerNumber, 1);

    const reply = replyText(await fanTypes(h.server, openid, "查水费"));
    expect(reply).toContain("您绑定户号的最新账单");
    expect(reply).toContain(`户号 ${zhang.customerNumber}（张*国）`);
    expect(reply).toContain(`用水 ${zhangBill.volumeM3} 立方米`);
    expect(reply).toContain("未缴费");
    expect(reply).toContain(`户号 ${li.customerNumber}（李*英）`);
    expect(reply).toContain("/api/fan/oauth/start?next=");
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "0" }]);
    expect(await query("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ? AND action = 'bill.chat_summary'", [openid])).toEqual([{ n: "2" }]);

    // The menu item's CLICK key answers the same way.
    const click = await deliver(
      { url: h.server.url, token: h.server.config.wechat.token, appId: h.server.config.wechat.appId },
      eventXml({ from: openid, event: "CLICK", eventKey: "WATER_BILL", createTime: Math.floor(Date.now() / 1000) }),
    );
    expect(replyText(click)).toContain(`户号 ${zhang.customerNumber}`);

    // Any other text still goes to human service.
    await fanTypes(h.server, openid, "你好，我想咨询");
    await eventually(async () => (await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid]))[0].n === "1" || undefined);
  });

  it("answers 查水费 from a fan without accounts with the binding link", async () => {
    const openid = "oFanChatNone000000000000001";
    follow(openid);
    const reply = replyText(await fanTypes(h.server, openid, " 查水费 "));
    expect(reply).toContain("您还没有绑定水费户号");
    expect(reply).toContain(`${h.server.config.publicUrl}/api/fan/oauth/start?next=${encodeURIComponent("/h5/#/bind")}`);
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ?", [openid])).toEqual([{ n: "0" }]);
  });

  it("an agent's look at a fan's accounts in the customer profile is audited like the fan's own reads", async () => {
    const openid = "oFanAgentView0000000000001";
    const cookie = await verifiedFan(h.server, openid, newPhone());
    await bindDemo(h.server, cookie, wang.customerNumber, wang.ownerName);
    await fanTypes(h.server, openid, "你好"); // the fan exists for the console once it wrote
    const agent = await makeAgent(h.server, { name: "审计客服" });
    const profile = await api(h.server, "GET", `/api/console/customers/${openid}`, { cookie: await cookieFor(h.server, agent) });
    expect(profile.status).toBe(200);
    expect(profile.body.waterAccounts).toEqual([expect.objectContaining({ customerNumber: wang.customerNumber })]);
    const rows = await query("SELECT actor_type, action, customer_number FROM audit_log WHERE actor_id = ?", [agent.id]);
    expect(rows).toEqual([{ actor_type: "agent", action: "account.view", customer_number: wang.customerNumber }]);
    // Searchable by admins under the agent's id.
    const admin = await makeAgent(h.server, { role: "admin" });
    const search = await api(h.server, "GET", `/api/console/audit?actor=${agent.id}`, { cookie: await cookieFor(h.server, admin) });
    expect(search.status).toBe(200);
    expect(search.body.entries).toEqual([expect.objectContaining({ action: "account.view", customerNumber: wang.customerNumber, actorName: "审计客服" })]);
  });
});
