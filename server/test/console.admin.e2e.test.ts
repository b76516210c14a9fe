import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { Agent } from "../src/modules/agents/agent.entity";
import { SESSION_COOKIE } from "../src/modules/agents/sessions";
import { Application } from "../src/modules/applications/application.entity";
import { Complaint } from "../src/modules/complaints/complaint.entity";
import { DEMO_AGENTS } from "../src/modules/demo/seedDemo";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import { startServer, type RunningServer } from "../src/server";
import { api, eventually } from "./agentsHelpers";
import { applicationInput, VALID_ID } from "./applicationsHelpers";
import { launchChromium } from "./support/browser";
import { newPhone, verifiedFan } from "./waterHelpers";

/**
 * The admin pages of the console end to end: the whole server in sandbox mode (SQLite), the built console
 * in real Chromium, staff signed in with sessions (the login page has its own test). The demo admin edits
 * and publishes the custom menu and the welcome text, the supervisor and the agent work a complaint and an
 * application filed through the fan API, the admin edits outlets and fee tiers, and the audit log shows
 * who did what. What the pages show is checked against what the server stored and sent; any uncaught page
 * error fails the test. Screenshots go to test-output/admin-*.png.
 */

jest.setTimeout(180_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const CONSOLE_DIST = join(__dirname, "../../console/dist/index.html");
const WAIT = { timeout: 15_000 };
const ADMIN = DEMO_AGENTS.find((agent) => agent.role === "admin")!;
const SUPERVISOR = DEMO_AGENTS.find((agent) => agent.role === "supervisor")!;
const AGENT = DEMO_AGENTS.find((agent) => agent.role === "agent")!;
const HOUR = 3600_000;

describe("console admin pages in Chromium (sandbox)", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CONSOLE_DIST)) throw new Error("console/dist is missing: run `npm run build` (CI builds before `npm test`)");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-admin-e2e-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" });
    server = await startServer(config, { host: "127.0.0.1" });
    await server.settings.set("complaints.resultTemplate.id", "tmpl_complaint_result");
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // An uncaught error in any page fails the test that caused it.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(OUTPUT_DIR, `admin-${name}.png`), fullPage: true });
  const agentNamed = (jobNumber: string) => server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber });
  const outboxRows = (kind: OutboxMessage["kind"]) => server.dataSource.getRepository(OutboxMessage).findBy({ kind });

  /** A desktop browser signed in as the demo staff member, at the console route. */
  async function staffPage(person: { jobNumber: string }, route: string): Promise<Page> {
    const agent = await agentNamed(person.jobNumber);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    contexts.push(context);
    await context.addCookies([{ name: SESSION_COOKIE, value: await server.context.sessions.create(agent.id), url: server.url }]);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${person.jobNumber} ${page.url()}: ${error.message}`));
    await page.goto(`${server.url}/console/#/${route}`);
    return page;
  }

  async function staffCookie(person: { jobNumber: string }): Promise<string> {
    return `${SESSION_COOKIE}=${await server.context.sessions.create((await agentNamed(person.jobNumber)).id)}`;
  }

  /** The form item whose label is exactly `label`. */
  const formItem = (scope: Page | Locator, label: string) =>
    scope.locator(".el-form-item", { has: ("page" in scope ? scope.page() : scope).locator(".el-form-item__label", { hasText: new RegExp(`^${label}$`) }) });

  /** Element Plus's confirm box: press its button. */
  async function confirmBox(page: Page, button: string): Promise<void> {
    await page.locator(".el-message-box").getByRole("button", { name: button }).click();
  }

  describe("自定义菜单", () => {
    test("an invalid sub-item name is refused precisely; the fixed menu is published once and reaches WeChat", async () => {
      const fake = server.context.sandbox!.fake;
      // The sandbox publishes the default menu on its first start.
      await eventually(async () => ((await outboxRows("menu_create")).some((row) => row.status === "sent") ? true : undefined), "the first menu sent", WAIT.timeout);
      const before = (await outboxRows("menu_create")).length;

      const page = await staffPage(ADMIN, "admin/menus");
      const bar = page.locator(".phone .bar");
      for (const name of ["我的用水", "用水指南", "水务资讯"]) await bar.getByRole("button", { name }).waitFor(WAIT);
      await bar.getByRole("button", { name: "水务资讯" }).click();
      await page.locator(".phone .subs").getByRole("button", { name: "企业动态" }).click();
      const nameField = page.locator(".el-form-item", { hasText: "名称" });
      const tooLong = "企业动态与行业新闻及公司重要通知公告发布"; // 20 characters, 60 bytes
      await nameField.locator("input").fill(`${tooLong}栏`);
      await nameField.getByText("63 / 60 字节").waitFor(WAIT);

      await page.getByRole("button", { name: "发布", exact: true }).click();
      await confirmBox(page, "发布");
      const message = "第 3 个菜单的第 3 个子菜单：名称超过 60 字节（当前 63 字节，一个汉字占 3 字节）";
      await page.locator(".el-alert", { hasText: "菜单未通过检查" }).getByText(message).waitFor(WAIT);
      await nameField.locator(".el-form-item__error", { hasText: message }).waitFor(WAIT);
      await shot(page, "menu-invalid");
      expect(await outboxRows("menu_create")).toHaveLength(before);

      // Exactly at the limit is fine.
      await nameField.locator("input").fill(tooLong);
      await nameField.getByText("60 / 60 字节").waitFor(WAIT);
      await page.getByRole("button", { name: "发布", exact: true }).click();
      await confirmBox(page, "发布");
      await page.locator(".el-message--success", { hasText: "已提交发布" }).waitFor(WAIT);
      await page.locator(".el-alert", { hasText: "菜单未通过检查" }).waitFor({ state: "detached", ...WAIT });
      const rows = await eventually(async () => {
        const all = await outboxRows("menu_create");
        return all.length === before + 1 && all.every((row) => row.status === "sent") ? all : undefined;
      }, "the new menu sent", WAIT.timeout);
      expect(rows).toHaveLength(before + 1);
      const held = fake.menu as { button: { name: string; sub_button?: { name: string }[] }[] };
      expect(held.button[2].sub_button!.map((sub) => sub.name)).toContain(tooLong);

      // The page follows the publication and reads WeChat's menu back.
      await page.locator(".el-alert", { hasText: "已发布" }).waitFor(WAIT);
      const current = page.locator(".current", { hasText: "微信当前菜单" });
      await current.getByText(tooLong).waitFor(WAIT);
      await page.getByRole("button", { name: "读取微信当前菜单" }).click();
      await current.getByText(tooLong).waitFor(WAIT);
      await shot(page, "menu-published");
    });

    test("the welcome text is saved and a new follower gets it", async () => {
      const page = await staffPage(ADMIN, "admin/menus");
      const welcome = page.locator(".welcome");
      const text = "欢迎关注城市水务！绑定户号即可查账单、缴水费，回复“人工”联系客服。";
      await welcome.getByLabel("关注回复语").fill(text);
      await welcome.getByRole("button", { name: "保存" }).click();
      await page.locator(".el-message--success", { hasText: "关注回复语已保存" }).waitFor(WAIT);
      expect(await server.settings.get("welcome.text")).toBe(text);

      // A new WeChat user follows the account on the simulated phone.
      const created = await api(server, "POST", "/sandbox/api/fans", { body: { nickname: "新关注的粉丝" } });
      expect(created.status).toBe(201);
      const followed = await api(server, "POST", `/sandbox/api/fans/${created.body.fan.openid}/follow`);
      expect(followed.status).toBe(200);
      expect(JSON.stringify(followed.body.entries)).toContain(text);
    });
  });

  describe("投诉建议", () => {
    let fan: { openid: string; cookie: string };
    let complaintId: string;
    let overdueId: string;

    test("a fan's complaint shows with its SLA age; the supervisor accepts it and assigns it to 刘洋", async () => {
      const openid = "oDemoComplaintFan000000000001";
      fan = { openid, cookie: await verifiedFan(server, openid, newPhone()) };
      const file = (content: string) => api(server, "POST", "/api/fan/complaints", { cookie: fan.cookie, body: { category: "complaint", content } });
      const old = await file("上周反映的水表井盖破损，至今没有人来处理。");
      expect(old.status).toBe(201);
      overdueId = old.body.complaint.id;
      // Filed 50 hours ago: past the 48-hour SLA.
      const longAgo = new Date(Date.now() - 50 * HOUR);
      await server.dataSource.getRepository(Complaint).update({ id: overdueId }, { createdAt: longAgo });
      const fresh = await file("小区门口水管漏水三天了，一直没人来修。");
      expect(fresh.status).toBe(201);
      complaintId = fresh.body.complaint.id;
      const number = fresh.body.complaint.number as string;

      const page = await staffPage(SUPERVISOR, "complaints");
      const row = page.locator(".el-table__row", { hasText: number });
      await row.waitFor(WAIT);
      await row.getByText("0 小时").waitFor(WAIT);
      await row.getByText("未指派").waitFor(WAIT);
      const overdueRow = page.locator(".el-table__row", { hasText: "水表井盖破损" });
      await overdueRow.locator(".overdue", { hasText: "2 天 2 小时" }).waitFor(WAIT);
      await page.locator(".counts").getByText(/超时 1/).waitFor(WAIT);
      await shot(page, "complaints-list");

      await row.click();
      const drawer = page.locator(".el-drawer");
      await drawer.getByText("小区门口水管漏水三天了").waitFor(WAIT);
      await drawer.getByRole("button", { name: "受理" }).click();
      await page.locator(".el-message--success", { hasText: "已受理" }).waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText("已受理").waitFor(WAIT);

      await drawer.locator(".work .el-select").click();
      await page.locator(".el-select-dropdown__item:visible", { hasText: AGENT.name }).click();
      await drawer.getByRole("button", { name: "指派" }).click();
      await page.locator(".el-message--success", { hasText: "已指派" }).waitFor(WAIT);
      await drawer.locator(".el-timeline").getByText(`指派给 ${AGENT.name}`).waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText(AGENT.name).waitFor(WAIT);
      await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
      await shot(page, "complaint-assigned");
      const stored = await server.dataSource.getRepository(Complaint).findOneByOrFail({ id: complaintId });
      expect(stored).toMatchObject({ status: "accepted", assigneeId: (await agentNamed(AGENT.jobNumber)).id });
    });

    test("刘洋 adds a note and sends the result to the fan as a template message", async () => {
      const page = await staffPage(AGENT, "complaints");
      // The agent may not accept, assign or close.
      const agentCookie = await staffCookie(AGENT);
      expect((await api(server, "POST", `/api/console/complaints/${overdueId}/accept`, { cookie: agentCookie, body: {} })).status).toBe(403);

      const row = page.locator(".el-table__row", { hasText: "小区门口水管漏水" });
      await row.click();
      const drawer = page.locator(".el-drawer");
      await drawer.getByPlaceholder("处理记录").fill("已联系物业，维修班组明早到场。");
      await drawer.getByRole("button", { name: "记录" }).click();
      await page.locator(".el-message--success", { hasText: "已记录" }).waitFor(WAIT);
      await drawer.locator(".el-timeline").getByText("已联系物业，维修班组明早到场。").waitFor(WAIT);
      await drawer.locator(".el-timeline").getByText("内部").waitFor(WAIT);
      expect(await drawer.getByRole("button", { name: "关闭工单" }).count()).toBe(0);

      const result = "漏点已修复，供水恢复正常，感谢您的反馈。";
      await drawer.getByPlaceholder("处理结果（将通过模板消息发送给粉丝）").fill(result);
      await drawer.getByRole("button", { name: "答复粉丝" }).click();
      await page.locator(".el-message--success", { hasText: "处理结果已发送给粉丝" }).waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText("已答复").waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText(result).waitFor(WAIT);
      await drawer.locator(".sla", { hasText: /答复$/ }).waitFor(WAIT); // no deadline left once answered
      await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
      await shot(page, "complaint-replied");

      const templates = (await outboxRows("template")).filter((row) => row.fanOpenid === fan.openid);
      expect(templates).toHaveLength(1);
      expect(templates[0].payload).toMatchObject({ templateId: "tmpl_complaint_result" });
      const fake = server.context.sandbox!.fake;
      await eventually(() => fake.templateMessages.find((message) => message.toUser === fan.openid), "the result template at WeChat", WAIT.timeout);

      // Revisit: the agent records the fan's satisfaction after calling back.
      await drawer.getByRole("radio", { name: "4 分" }).click({ force: true });
      await drawer.getByPlaceholder("回访记录（可选）").fill("电话回访，用户表示满意");
      await drawer.getByRole("button", { name: "记录回访" }).click();
      await page.locator(".el-message--success", { hasText: "回访已记录" }).waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText("已回访").waitFor(WAIT);
      await drawer.getByText("★★★★☆").waitFor(WAIT);
      expect(await server.dataSource.getRepository(Complaint).findOneByOrFail({ id: complaintId })).toMatchObject({ status: "revisited", rating: 4, ratingBy: "staff" });
    });

    test("the supervisor closes it; the status and overdue filters find what they should", async () => {
      const page = await staffPage(SUPERVISOR, "complaints");
      const row = page.locator(".el-table__row", { hasText: "小区门口水管漏水" });
      await row.getByText("4 分").waitFor(WAIT);
      await row.click();
      const drawer = page.locator(".el-drawer");
      await drawer.getByPlaceholder("关闭说明（可选）").fill("问题已解决");
      await drawer.getByRole("button", { name: "关闭工单" }).click();
      await page.locator(".el-message--success", { hasText: "工单已关闭" }).waitFor(WAIT);
      await drawer.locator(".el-descriptions").getByText("已关闭").waitFor(WAIT);
      await page.keyboard.press("Escape");
      await drawer.waitFor({ state: "hidden", ...WAIT });

      // Status: 已关闭 lists only the closed one.
      const statusSelect = formItem(page, "状态").locator(".el-select");
      await statusSelect.click();
      await page.locator(".el-select-dropdown__item:visible", { hasText: "已关闭" }).click();
      await page.getByRole("button", { name: "查询" }).click();
      await page.locator(".el-table__row", { hasText: "水表井盖破损" }).waitFor({ state: "detached", ...WAIT });
      await page.locator(".el-table__row", { hasText: "小区门口水管漏水" }).waitFor(WAIT);
      expect(await page.locator(".el-table__row").count()).toBe(1);

      // Overdue only (any status): the 50-hour-old one.
      await statusSelect.hover();
      await statusSelect.locator(".el-select__clear").click();
      await page.getByText("只看超时").click();
      await page.getByRole("button", { name: "查询" }).click();
      await page.locator(".el-table__row", { hasText: "小区门口水管漏水" }).waitFor({ state: "detached", ...WAIT });
      await page.locator(".el-table__row", { hasText: "水表井盖破损" }).waitFor(WAIT);
      expect(await page.locator(".el-table__row").count()).toBe(1);
      await shot(page, "complaints-overdue");
    });
  });

  describe("业务申请", () => {
    let applicationId: string;
    let number: string;

    test("the supervisor moves a fan's application accepted → processing → done; the timeline shows each step", async () => {
      const openid = "oDemoApplicationFan0000000001";
      const phone = newPhone();
      const cookie = await verifiedFan(server, openid, phone);
      const filed = await api(server, "POST", "/api/fan/applications", { cookie, body: await applicationInput(server, cookie, openid, phone) });
      expect(filed.status).toBe(201);
      applicationId = filed.body.application.id;
      number = filed.body.application.number;

      const page = await staffPage(SUPERVISOR, "applications");
      await page.locator(".el-table__row", { hasText: number }).click();
      const drawer = page.locator(".el-drawer");
      await drawer.getByText(VALID_ID).waitFor(WAIT);
      // The supervisor sees both ID photos.
      await drawer.locator(".photos .el-image img").nth(1).waitFor(WAIT);

      const steps: [string, string, string][] = [
        ["受理", "已受理", "资料齐全，已受理"],
        ["开始办理", "办理中", "已安排工作人员上门核实"],
        ["办结", "已办结", "过户已完成"],
      ];
      for (const [button, status, note] of steps) {
        await drawer.getByPlaceholder("备注（粉丝可见；驳回时为驳回原因）").fill(note);
        await drawer.getByRole("button", { name: button, exact: true }).click();
        await page.locator(".el-message--success", { hasText: `已${button}，已通知粉丝` }).last().waitFor(WAIT);
        await drawer.locator(".el-descriptions").getByText(status).waitFor(WAIT);
        const step = drawer.locator(".el-timeline-item", { hasText: note });
        await step.locator("strong", { hasText: status }).waitFor(WAIT);
        await step.getByText(SUPERVISOR.name).waitFor(WAIT);
      }
      expect(await drawer.locator(".actions button").count()).toBe(0);
      await page.locator(".el-table__row", { hasText: number }).getByText("已办结").waitFor(WAIT);
      await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
      await shot(page, "application-done");
      expect(await server.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId })).toMatchObject({ status: "done" });
    });

    test("an agent sees it read-only: ID number masked, no photos, no actions", async () => {
      const page = await staffPage(AGENT, "applications");
      await page.locator(".el-table__row", { hasText: number }).click();
      const drawer = page.locator(".el-drawer");
      await drawer.getByText("身份证照片和完整证件号仅组长和管理员可见。").waitFor(WAIT);
      const idCell = drawer.locator(".el-descriptions__cell", { hasText: /\*{4}/ });
      await idCell.first().waitFor(WAIT);
      expect(await drawer.textContent()).not.toContain(VALID_ID);
      expect(await drawer.locator(".photos").count()).toBe(0);
      expect(await drawer.locator(".actions").count()).toBe(0);
      expect(await drawer.getByPlaceholder("备注（粉丝可见；驳回时为驳回原因）").count()).toBe(0);
      await drawer.locator(".el-timeline-item").nth(3).waitFor(WAIT);
      await page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
      await shot(page, "application-agent");
      const agentCookie = await staffCookie(AGENT);
      const refused = await api(server, "POST", `/api/console/applications/${applicationId}/status`, { cookie: agentCookie, body: { status: "rejected", note: "x" } });
      expect(refused.status).toBe(403);

      // The admin pages are not the agent's: the console sends them back to the workspace, the API refuses.
      for (const route of ["admin/menus", "admin/guides", "admin/audit"]) {
        await page.goto(`${server.url}/console/#/${route}`);
        await page.waitForURL(/#\/workspace/, WAIT);
      }
      expect((await api(server, "GET", "/api/console/audit", { cookie: agentCookie })).status).toBe(403);
      expect((await api(server, "GET", "/api/console/menus", { cookie: agentCookie })).status).toBe(403);
    });
  });

  describe("办事指南", () => {
    test("an outlet with coordinates: errors show under the fields, then it saves", async () => {
      const page = await staffPage(ADMIN, "admin/guides");
      await page.getByRole("tab", { name: "营业网点" }).click();
      await page.getByRole("button", { name: "新建网点" }).click();
      const dialog = page.locator(".el-dialog", { hasText: "新建网点" });
      const field = (label: string) => formItem(dialog, label);
      // No name, a phone that is not one, and no coordinates yet (a new outlet does not start at 0, 0).
      await field("地址").locator("input").fill("人民路 100 号");
      await field("电话").locator("input").fill("请拨总机");
      await dialog.getByRole("button", { name: "保存" }).click();
      await field("名称").locator(".el-form-item__error", { hasText: "请填写网点名称" }).waitFor(WAIT);
      await field("电话").locator(".el-form-item__error", { hasText: "联系电话只能包含数字" }).waitFor(WAIT);
      await field("纬度").locator(".el-form-item__error", { hasText: "纬度必须是数字" }).waitFor(WAIT);
      await field("经度").locator(".el-form-item__error", { hasText: "经度必须是数字" }).waitFor(WAIT);
      await shot(page, "outlet-invalid");

      await field("名称").locator("input").fill("人民路营业厅");
      await field("电话").locator("input").fill("021-6000 1234");
      await field("纬度").locator("input").fill("31.230416");
      await field("纬度").locator("input").blur();
      await field("经度").locator("input").fill("121.473701");
      await field("经度").locator("input").blur();
      await dialog.getByRole("button", { name: "保存" }).click();
      await dialog.waitFor({ state: "hidden", ...WAIT });
      const row = page.locator(".el-table__row", { hasText: "人民路营业厅" });
      await row.getByText("31.2304, 121.4737").waitFor(WAIT);
      const outlets = await api(server, "GET", "/api/console/outlets", { cookie: await staffCookie(ADMIN) });
      expect(outlets.body.outlets.find((outlet: { name: string }) => outlet.name === "人民路营业厅")).toMatchObject({ latitude: 31.230416, longitude: 121.473701, phone: "021-6000 1234" });
    });

    test("a fee tier edit: an unbounded middle tier is refused under the tiers, a new price saves", async () => {
      const page = await staffPage(ADMIN, "admin/guides");
      await page.getByRole("tab", { name: "收费标准" }).click();
      const card = page.locator(".standard").first();
      const name = (await card.locator(".head strong").textContent())!;
      await card.getByRole("button", { name: "编辑" }).click();
      const dialog = page.locator(".el-dialog", { hasText: "编辑收费标准" });
      await dialog.getByLabel("第 1 阶梯截止水量").waitFor(WAIT);
      // Clearing the first tier's bound leaves it unbounded in the middle.
      await dialog.getByLabel("第 1 阶梯截止水量").fill("");
      await dialog.getByLabel("第 1 阶梯截止水量").blur();
      await dialog.getByRole("button", { name: "保存" }).click();
      const tiersField = dialog.locator(".el-form-item", { hasText: "价格阶梯" });
      await tiersField.locator(".el-form-item__error", { hasText: "只有最后一个阶梯可以不设上限" }).waitFor(WAIT);
      await shot(page, "fee-invalid");

      await dialog.getByLabel("第 1 阶梯截止水量").fill("22");
      await dialog.getByLabel("第 1 阶梯截止水量").blur();
      await dialog.getByLabel("第 1 阶梯单价").fill("3.55");
      await dialog.getByLabel("第 1 阶梯单价").blur();
      await dialog.getByRole("button", { name: "保存" }).click();
      await dialog.waitFor({ state: "hidden", ...WAIT });
      const saved = page.locator(".standard", { hasText: name });
      await saved.getByText("3.55").waitFor(WAIT);
      const standards = await api(server, "GET", "/api/console/fee-standards", { cookie: await staffCookie(ADMIN) });
      const standard = standards.body.standards.find((s: { name: string }) => s.name === name);
      expect(standard.tiers[0]).toMatchObject({ lowerM3: 0, upperM3: 22, unitPriceFen: 355 });
      expect(standard.tiers[1]).toMatchObject({ lowerM3: 22 });
      await shot(page, "fee-saved");
    });
  });

  describe("审计日志", () => {
    test("lists the menu publication and the application handling with the staff members' names", async () => {
      const page = await staffPage(ADMIN, "admin/audit");
      const table = page.locator(".el-table");
      const publish = table.locator(".el-table__row", { hasText: "发布菜单" }).filter({ hasText: ADMIN.name });
      await publish.first().waitFor(WAIT);
      await publish.first().getByText("菜单：我的用水、用水指南、水务资讯").waitFor(WAIT);
      const handled = table.locator(".el-table__row", { hasText: "处理业务申请" }).filter({ hasText: SUPERVISOR.name });
      for (const step of ["已提交 → 已受理", "已受理 → 办理中", "办理中 → 已办结"]) await handled.filter({ hasText: step }).waitFor(WAIT);
      await table.locator(".el-table__row", { hasText: "修改办事指南" }).filter({ hasText: "新建营业网点" }).first().waitFor(WAIT);
      await shot(page, "audit");
      await table.locator(".el-table__row", { hasText: "修改关注欢迎语" }).filter({ hasText: ADMIN.name }).first().waitFor(WAIT);

      // The action filter.
      const actionSelect = formItem(page, "操作").locator(".el-select");
      await actionSelect.click();
      await page.locator(".el-select-dropdown__item:visible", { hasText: "发布菜单" }).click();
      await page.getByRole("button", { name: "查询" }).click();
      await table.locator(".el-table__row", { hasText: "处理业务申请" }).first().waitFor({ state: "detached", ...WAIT });
      await publish.first().waitFor(WAIT);
    });
  });
});
