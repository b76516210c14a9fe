import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devices, type Browser } from "playwright-core";
import { loadConfig } from "../src/config";
import { Agent } from "../src/modules/agents/agent.entity";
import { SESSION_COOKIE } from "../src/modules/agents/sessions";
import { PayOrder } from "../src/modules/payments/payment.entity";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { launchChromium } from "./support/browser";
import { startServer, type RunningServer } from "../src/server";
import { bindDemo, newPhone, verifiedFan, water } from "./waterHelpers";

/**
 * Paying a bill end to end in real Chromium on the embedded default (SQLite, sandbox WeChat Pay): the fan's
 * H5 pay page, the sandbox confirm sheet standing in for WeChat's cashier, the result page polling our
 * server, the bill shown paid; then the admin finds the payment in the console. Screenshots go to
 * test-output/payments-*.png.
 */

jest.setTimeout(120_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const H5_DIST = join(__dirname, "../../console/dist/h5/index.html");
const WAIT = { timeout: 15_000 };
const FAN = "oDemoPayE2E0000000000000001";
const ACCOUNT = DEMO_WATER_ACCOUNTS[3];

describe("paying a bill in mobile Chromium (sandbox), seen by the admin", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(H5_DIST)) throw new Error("console/dist is missing: run `npm run build` (CI builds before `npm test`)");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-pay-e2e-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" });
    server = await startServer(config, { host: "127.0.0.1" });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the fan pays through the confirm sheet, the bill shows paid, and the admin sees the payment", async () => {
    // The fan's phone and binding through the API (the H5 binding pages have their own test).
    const cookie = await verifiedFan(server, FAN, newPhone());
    const accountId = (await bindDemo(server, cookie, ACCOUNT.customerNumber, ACCOUNT.ownerName)).body.account.id as string;
    const [latest] = await water(server).gateway.bills(ACCOUNT.customerNumber, 1);

    const phone = devices["iPhone 13"];
    const fanContext = await browser.newContext({ viewport: phone.viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN", userAgent: `${phone.userAgent} MicroMessenger/8.0.50` });
    const page = await fanContext.newPage();
    const base = server.config.publicUrl;
    await page.goto(`${base}/api/fan/oauth/start?openid=${FAN}&next=${encodeURIComponent(`/h5/#/bills/${accountId}/${latest.month}`)}`);
    await page.getByText("阶梯水价明细").waitFor(WAIT);
    await page.getByRole("link", { name: "去缴费" }).or(page.getByRole("button", { name: "去缴费" })).click();
    await page.waitForURL(new RegExp(`/h5/#/pay/bill/${accountId}/${latest.month}$`), WAIT);
    const amount = await page.getByTestId("pay-amount").textContent();
    expect(amount).toMatch(/^¥\d+\.\d{2}$/);
    await page.screenshot({ path: join(OUTPUT_DIR, "payments-bill.png"), fullPage: true });

    await page.getByTestId("pay-button").click();
    await page.getByTestId("sandbox-pay-sheet").waitFor(WAIT);
    await page.screenshot({ path: join(OUTPUT_DIR, "payments-sandbox-sheet.png") });
    await page.getByTestId("sandbox-pay-confirm").click();
    await page.waitForURL(/\/h5\/#\/pay\/result\//, WAIT);
    await page.locator('[data-testid="pay-result"][data-status="paid"]').waitFor(WAIT);
    await page.getByText("已入账").waitFor(WAIT);
    await page.screenshot({ path: join(OUTPUT_DIR, "payments-result.png"), fullPage: true });

    const order = await server.dataSource.getRepository(PayOrder).findOneByOrFail({ fanOpenid: FAN });
    expect(order).toMatchObject({ status: "paid", paidVia: "notify" });
    expect(order.creditedAt).not.toBeNull();
    expect(`¥${(order.amountFen / 100).toFixed(2)}`).toBe(amount);

    await page.getByRole("link", { name: "查看账单" }).or(page.getByRole("button", { name: "查看账单" })).click();
    await page.getByText("已缴费").waitFor(WAIT);
    expect((await water(server).gateway.bill(ACCOUNT.customerNumber, latest.month))!.status).toBe("paid");
    await fanContext.close();

    // The demo admin, signed in (the login pages have their own test), finds it in 支付管理.
    const admin = await server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber: "admin" });
    const adminContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    const host = new URL(server.url).hostname;
    await adminContext.addCookies([{ name: SESSION_COOKIE, value: await server.context.sessions.create(admin.id), domain: host, path: "/" }]);
    const staffPage = await adminContext.newPage();
    await staffPage.goto(`${server.url}/console/#/payments`);
    await staffPage.getByText(order.outTradeNo).waitFor(WAIT);
    await staffPage.getByText(order.outTradeNo).click();
    await staffPage.getByText("订单详情").waitFor(WAIT);
    await staffPage.getByText(order.transactionId!).waitFor(WAIT);
    await staffPage.getByText("退款（可退").waitFor(WAIT);
    await staffPage.waitForTimeout(400); // the drawer's slide-in
    await staffPage.screenshot({ path: join(OUTPUT_DIR, "payments-console.png") });
    await staffPage.keyboard.press("Escape");

    // The other tabs render what the server has.
    await staffPage.getByRole("tab", { name: "每日汇总" }).click();
    await staffPage.getByText(/收款 1 笔/).waitFor(WAIT);
    await staffPage.screenshot({ path: join(OUTPUT_DIR, "payments-daily.png") });
    await staffPage.getByRole("tab", { name: "对账" }).click();
    await staffPage.getByRole("button", { name: "立即对账" }).waitFor(WAIT);
    await staffPage.getByRole("tab", { name: "设置" }).click();
    await staffPage.getByText("支付时限（分钟）").waitFor(WAIT);
    await adminContext.close();
  });
});
