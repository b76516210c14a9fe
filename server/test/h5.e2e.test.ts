import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devices, type Browser, type BrowserContext, type Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { Agent } from "../src/modules/agents/agent.entity";
import { SESSION_COOKIE } from "../src/modules/agents/sessions";
import { WaterBinding } from "../src/modules/water/binding.entity";
import { eventually } from "./agentsHelpers";
import { launchChromium } from "./support/browser";
import { startServer, type RunningServer } from "../src/server";

/**
 * The fan's H5 pages end to end, in real Chromium with a phone's viewport and touch, against the whole
 * server in sandbox mode (the embedded default): web OAuth through the sandbox's authorize stand-in,
 * SMS verification with the code the sandbox shows, binding a demo account, 36 months of bills with the
 * chart, the subscription; then an admin publishes an emergency outage in the console and the fan gets the
 * template message. What the pages show is checked against what the product stored and sent.
 */

jest.setTimeout(120_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const FAN = { openid: "oDemoFan0000000000000000002", phone: "13900000002" };
const ACCOUNT = { customerNumber: "310100002", ownerName: "李秀英", queryPassword: "123456", area: "城西片区" };
const WAIT = { timeout: 15_000 };

describe("fan H5 pages in mobile Chromium (sandbox)", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-h5-e2e-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" });
    server = await startServer(config, { host: "127.0.0.1" });
    browser = await launchChromium();
    const phone = devices["iPhone 13"];
    context = await browser.newContext({
      viewport: phone.viewport,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      // WeChat's in-app browser announces itself like this; the pages must not depend on it.
      userAgent: `${phone.userAgent} MicroMessenger/8.0.50(0x18003237) NetType/WIFI Language/zh_CN`,
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Pages are opened at PUBLIC_URL (OAuth redirects there, and the fan cookie belongs to that host).
  const base = () => server.config.publicUrl;
  const binding = () => server.dataSource.getRepository(WaterBinding).findOneBy({ fanOpenid: FAN.openid, customerNumber: ACCOUNT.customerNumber });

  test("without a session the page goes through web OAuth and lands where it was asked to", async () => {
    await page.goto(`${base()}/h5/#/bind`);
    // The first API call answers 401; the page goes to /api/fan/oauth/start (sandbox default fan) and back.
    await page.waitForURL(/\/h5\/#\/bind$/, WAIT);
    await page.getByText("第一步：验证手机号").waitFor(WAIT);
    // Start over as the fan this test binds for.
    await context.clearCookies();
  });

  test("binds a demo account with the SMS code, sees 36 months of bills and the chart, subscribes", async () => {
    await page.goto(`${base()}/api/fan/oauth/start?openid=${FAN.openid}&next=${encodeURIComponent("/h5/#/bind")}`);
    await page.waitForURL(/\/h5\/#\/bind$/, WAIT);

    await page.getByPlaceholder("请输入手机号").fill(FAN.phone);
    await page.getByRole("button", { name: "获取验证码" }).click();
    const sms = page.locator(".sandbox-sms");
    await sms.waitFor(WAIT);
    const code = /\d{6}/.exec((await sms.textContent()) ?? "")?.[0];
    expect(code).toMatch(/^\d{6}$/);
    await page.getByPlaceholder("6 位数字").fill(code!);
    await page.getByRole("button", { name: "验证手机号" }).click();
    await page.getByText("已验证手机号").waitFor(WAIT);
    await page.getByText("139****0002").waitFor(WAIT);

    await page.getByPlaceholder("见水费通知单").fill(ACCOUNT.customerNumber);
    await page.getByPlaceholder("与户籍登记一致").fill(ACCOUNT.ownerName);
    await page.getByPlaceholder("初始密码见开户资料").fill(ACCOUNT.queryPassword);
    await page.getByRole("button", { name: "绑定", exact: true }).click();
    await page.getByText(`户号 ${ACCOUNT.customerNumber}`).waitFor(WAIT);
    const stored = await binding();
    expect(stored).toMatchObject({ customerNumber: ACCOUNT.customerNumber, subscribed: false });
    await page.screenshot({ path: join(OUTPUT_DIR, "h5-bind.png"), fullPage: true });

    await page.getByText(`户号 ${ACCOUNT.customerNumber}`).click();
    await page.waitForURL(new RegExp(`/h5/#/bills/${stored!.id}$`), WAIT);
    const rows = page.getByTestId("bill-list").locator(".van-cell");
    await expect(eventually(async () => ((await rows.count()) === 36 ? true : undefined), "36 bill rows", WAIT.timeout)).resolves.toBe(true);
    // The chart drew one bar per month (SVG renderer: bars are paths inside the chart's svg).
    await page.locator(".bill-chart svg").waitFor(WAIT);
    expect(await page.locator(".bill-chart svg path").count()).toBeGreaterThan(12);
    await page.locator(".van-toast").waitFor({ state: "hidden", ...WAIT });
    await page.screenshot({ path: join(OUTPUT_DIR, "h5-bills.png"), fullPage: false });

    // A month's detail page, as the monthly template message links to it.
    await rows.first().click();
    await page.waitForURL(new RegExp(`/h5/#/bills/${stored!.id}/\\d{4}-\\d{2}$`), WAIT);
    await page.getByText("阶梯水价明细").waitFor(WAIT);
    await expect(page.getByTestId("bill-amount").textContent()).resolves.toMatch(/^¥\d+\.\d{2}$/);
    await page.screenshot({ path: join(OUTPUT_DIR, "h5-bill-detail.png"), fullPage: true });

    await page.goto(`${base()}/h5/#/subscribe`);
    await page.getByText(`户号 ${ACCOUNT.customerNumber}`).click();
    await page.getByRole("button", { name: "保存订阅" }).click();
    await page.getByText("订阅已保存").waitFor(WAIT);
    await eventually(async () => ((await binding())?.subscribed ? true : undefined), "the subscription stored", WAIT.timeout);
  });

  test("an admin publishes an emergency outage in the console; the subscribed fan gets the template and opens it", async () => {
    // The admin works in the desktop console (signed in with a session, as the login page would leave it).
    const admin = await server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber: "admin" });
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await desk.addCookies([{ name: SESSION_COOKIE, value: await server.context.sessions.create(admin.id), url: base() }]);
    const adminPage = await desk.newPage();
    await adminPage.goto(`${base()}/console/#/admin/notices/new`);
    await adminPage.getByText("紧急停水（发布时推送给区域内订阅用户）").click();
    await expect(adminPage.getByRole("radio", { name: "紧急停水（发布时推送给区域内订阅用户）" }).isChecked()).resolves.toBe(true);
    await adminPage.locator(".el-form-item", { hasText: "标题" }).locator("input").fill("人民路主管爆管抢修停水");
    const areas = adminPage.locator(".el-form-item", { hasText: "停水区域" }).locator(".el-select");
    await areas.click();
    await adminPage.keyboard.type(ACCOUNT.area);
    await adminPage.keyboard.press("Enter");
    await adminPage.keyboard.press("Escape");
    const chinaTime = (offsetMs: number) => new Date(Date.now() + 8 * 3600_000 + offsetMs).toISOString().slice(0, 19).replace("T", " ");
    for (const [label, value] of [["停水开始", chinaTime(-10 * 60_000)], ["恢复供水", chinaTime(4 * 3600_000)]] as const) {
      const input = adminPage.locator(".el-form-item", { hasText: label }).locator("input");
      await input.fill(value);
      await input.press("Enter");
    }
    await adminPage.locator(".el-form-item", { hasText: "正文" }).locator("textarea").fill("因人民路主管突发爆管，正在抢修，受影响区域暂停供水，请提前储水。");
    await adminPage.getByRole("button", { name: "保存" }).click();
    await adminPage.waitForURL(/#\/admin\/notices\/[0-9a-f-]{36}$/, WAIT);
    const noticeId = /notices\/([0-9a-f-]{36})$/.exec(adminPage.url())![1];
    await adminPage.getByRole("button", { name: "发布" }).click();
    await adminPage.locator(".el-message-box").getByRole("button", { name: "发布" }).click();
    await adminPage.getByText(/已推送 1 位用户/).waitFor(WAIT);
    await adminPage.screenshot({ path: join(OUTPUT_DIR, "h5-admin-outage.png"), fullPage: true });
    await desk.close();

    // The sandbox's WeChat received one template message for the subscribed fan, linking the notice.
    const fake = server.context.sandbox!.fake;
    const template = await eventually(async () => fake.templateMessages.find((message) => message.toUser === FAN.openid), "the outage template", WAIT.timeout);
    expect(template.body).toMatchObject({ url: `${base()}/h5/#/notices/${noticeId}` });
    expect(fake.templateMessages.filter((message) => message.toUser === FAN.openid)).toHaveLength(1);

    // The fan opens it on the phone.
    await page.goto(`${base()}/h5/#/notices/${noticeId}`);
    await page.getByText("人民路主管爆管抢修停水").waitFor(WAIT);
    await page.getByText(ACCOUNT.area).first().waitFor(WAIT);
    await page.getByText("停水中").waitFor(WAIT); // started ten minutes ago (China time, as the admin typed it)
    await page.screenshot({ path: join(OUTPUT_DIR, "h5-outage-notice.png"), fullPage: true });
  });

  test("another fan's binding id shows nothing of the account", async () => {
    const other = await binding();
    await context.clearCookies();
    await page.goto(`${base()}/api/fan/oauth/start?openid=oDemoFan0000000000000000003&next=${encodeURIComponent(`/h5/#/bills/${other!.id}/2025-01`)}`);
    await page.getByText("没有找到该月账单，或该户号未绑定").waitFor(WAIT);
    expect(await page.locator("body").textContent()).not.toContain(ACCOUNT.customerNumber);
  });
});
