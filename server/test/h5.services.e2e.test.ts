import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devices, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { Agent } from "../src/modules/agents/agent.entity";
import { Application, ApplicationEvent } from "../src/modules/applications/application.entity";
import { FanUpload } from "../src/modules/applications/fanUpload.entity";
import { Complaint, ComplaintEvent } from "../src/modules/complaints/complaint.entity";
import { PayOrder } from "../src/modules/payments/payment.entity";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { startServer, type RunningServer } from "../src/server";
import { AMR, VALID_ID } from "./applicationsHelpers";
import { api, cookieFor, eventually } from "./agentsHelpers";
import { launchChromium } from "./support/browser";
import { bindDemo, minutePassed, newPhone, verifiedFan } from "./waterHelpers";

/**
 * The fan's service pages end to end in mobile Chromium (390 px wide, China time) against the whole server
 * in sandbox mode on SQLite: a 水表校验 application with ID photos, the SMS code and its 25-yuan fee paid
 * through the sandbox sheet; a complaint with photos and a location, answered by a supervisor and rated by
 * the fan; guides, fee standards and outlets sorted by the phone's position; notices, a repair's timeline
 * and the outage search. Every page must run without script errors, without a failed API call, without
 * raw (untranslated) text and without spilling past the phone's width. Screenshots: test-output/h5-services-*.png.
 */

jest.setTimeout(180_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const H5_DIST = join(__dirname, "../../console/dist/h5/index.html");
const WAIT = { timeout: 15_000 };
const FAN = "oDemoH5Services000000000001";
const ACCOUNT = DEMO_WATER_ACCOUNTS[0];
/** A few metres from the demo 城西营业厅 (人民路 56 号), which is not first by name. */
const NEAR_CHENGXI = { latitude: 30.2745, longitude: 120.1205 };

/** A small picture drawn by the browser itself, as the phone's camera would hand it over. */
async function photo(page: Page, name: string, color: string): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const mimeType = name.endsWith(".png") ? "image/png" : "image/jpeg";
  // Scripts in the page are strings: the server's tsconfig has no DOM types.
  const base64 = await page.evaluate<string>(`(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 160;
    canvas.height = 100;
    const context = canvas.getContext("2d");
    context.fillStyle = ${JSON.stringify(color)};
    context.fillRect(0, 0, 160, 100);
    context.fillStyle = "#fff";
    context.fillRect(16, 20, 44, 56);
    return canvas.toDataURL(${JSON.stringify(mimeType)}, 0.8).split(",")[1];
  })()`);
  return { name, mimeType, buffer: Buffer.from(base64, "base64") };
}

/** A phone camera's photo: 4032×3024, a few MB of JPEG (the page shrinks it before uploading). */
async function cameraPhoto(page: Page): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const base64 = await page.evaluate<string>(`(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 4032;
    canvas.height = 3024;
    const context = canvas.getContext("2d");
    const gradient = context.createLinearGradient(0, 0, 4032, 3024);
    gradient.addColorStop(0, "#8ab");
    gradient.addColorStop(1, "#553");
    context.fillStyle = gradient;
    context.fillRect(0, 0, 4032, 3024);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20000; i++) {
      context.fillStyle = "hsl(" + Math.floor(random() * 360) + ",60%,50%)";
      context.fillRect(random() * 4032, random() * 3024, 4 + random() * 30, 4 + random() * 30);
    }
    return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
  })()`);
  return { name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: Buffer.from(base64, "base64") };
}

describe("the fan's service pages in mobile Chromium (sandbox)", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let phone: string;
  /** What the first tests created, for the last one (another fan must not see them). */
  const created: { applicationId?: string; complaintId?: string } = {};
  /** Script errors, console errors and failed calls of the current test; each test ends with none. */
  let problems: string[] = [];
  /** Failed calls the current test causes on purpose (a wrong SMS code), by method and path. */
  let expectedFailures: RegExp[] = [];

  beforeAll(async () => {
    if (!existsSync(H5_DIST)) throw new Error("console/dist is missing: run `npm run build` (CI builds before `npm test`)");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-h5-services-e2e-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" });
    server = await startServer(config, { host: "127.0.0.1" });
    browser = await launchChromium();

    // The fan's verified phone and bound account through the API (the binding pages have their own test).
    phone = newPhone();
    const cookie = await verifiedFan(server, FAN, phone);
    expect((await bindDemo(server, cookie, ACCOUNT.customerNumber, ACCOUNT.ownerName)).status).toBe(201);

    const iphone = devices["iPhone 13"];
    context = await browser.newContext({
      viewport: iphone.viewport,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      userAgent: `${iphone.userAgent} MicroMessenger/8.0.50(0x18003237) NetType/WIFI Language/zh_CN`,
      permissions: ["geolocation"],
      geolocation: NEAR_CHENGXI,
    });
    // No internet here: WeChat's JS-SDK never loads, as when it is blocked or WeChat refuses the signature.
    await context.route(/res\.wx\.qq\.com/, (route) => route.abort("internetdisconnected"));
    page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const url = message.location().url ?? "";
      // Failed loads are judged by the response listener below (which knows the expected ones).
      if (/^Failed to load resource/.test(message.text()) || /res\.wx\.qq\.com/.test(url)) return;
      problems.push(`console.error: ${message.text()} (${url})`);
    });
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (response.status() < 400 || url.host !== new URL(server.config.publicUrl).host) return;
      const call = `${response.status()} ${response.request().method()} ${url.pathname}`;
      if (!expectedFailures.some((expected) => expected.test(call))) problems.push(call);
    });
    await page.goto(`${base()}/api/fan/oauth/start?openid=${FAN}&next=${encodeURIComponent("/h5/#/")}`);
    await page.waitForURL(/\/h5\/#\/$/, WAIT);
    // The home page has rendered: the router's first navigation is over before a test changes the hash
    // (a hash change during it can be lost on a loaded machine).
    await page.getByText("智慧水务 · 网上营业厅").waitFor(WAIT);
  });

  beforeEach(() => {
    problems = [];
    expectedFailures = [];
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const base = () => server.config.publicUrl;
  /** A full-page screenshot taken from the top (scrolled, the fixed nav bar would land mid-picture). */
  const shot = async (name: string) => {
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(OUTPUT_DIR, `h5-services-${name}.png`), fullPage: true });
  };

  /** What a fan must never see on a page: placeholders leaking, English words, a page wider than the phone. */
  async function expectTidy(what: string): Promise<void> {
    await page.locator(".van-toast").waitFor({ state: "hidden", ...WAIT });
    // The fan's own file names (an uploaded recording's) are theirs, not ours to translate.
    const text = await page.evaluate<string>(`(() => {
      const app = document.querySelector("#app").cloneNode(true);
      app.querySelectorAll(".van-uploader__file-name").forEach((name) => name.remove());
      document.body.appendChild(app);
      const shown = app.innerText;
      app.remove();
      return shown;
    })()`);
    expect({ what, raw: text.match(/undefined|null|NaN|Invalid Date|\[object/g) }).toEqual({ what, raw: null });
    const words = text.match(/[A-Za-z]{4,}/g) ?? [];
    expect({ what, words }).toEqual({ what, words: [] });
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect({ what, overflow }).toEqual({ what, overflow: 0 });
  }

  /** A list row whose status tag sits at the right: the title keeps most of the row (not squeezed to half). */
  async function expectRowReadable(row: Locator): Promise<void> {
    const [cell, title] = await Promise.all([row.boundingBox(), row.locator(".van-cell__title").boundingBox()]);
    expect(title!.width / cell!.width).toBeGreaterThan(0.6);
  }

  test("用水申请: a 水表校验 with ID photos and the SMS code, its 25-yuan fee paid, the timeline moves on", async () => {
    await page.goto(`${base()}/h5/#/applications`);
    await page.getByText("还没有提交过申请").waitFor(WAIT);
    await expectTidy("applications (empty)");
    await page.getByText("水表校验", { exact: true }).click();
    await page.waitForURL(/#\/applications\/new\?type=meter_check$/, WAIT);
    await page.getByRole("button", { name: "提交水表校验申请" }).click();
    // Nothing filled: the form says what is missing, in Chinese, without calling the server.
    await page.getByText("请填写户主姓名").waitFor(WAIT);
    await page.getByText("身份证号不正确，请核对").waitFor(WAIT);
    await page.getByPlaceholder("18 位身份证号").fill("110105194912310021"); // wrong check character
    await page.getByPlaceholder("与身份证一致").click();
    await page.getByRole("button", { name: "提交水表校验申请" }).click();
    await page.getByText("身份证号不正确，请核对").waitFor(WAIT);

    await page.getByPlaceholder("与身份证一致").fill(ACCOUNT.ownerName);
    // The bound account's shortcut fills the customer number, area and address.
    await page.locator(".shortcuts").getByText(ACCOUNT.customerNumber).click();
    await expect(page.getByPlaceholder("水费账单上的户号").inputValue()).resolves.toBe(ACCOUNT.customerNumber);
    await expect(page.getByPlaceholder("如：城东片区").inputValue()).resolves.toBe(ACCOUNT.area);
    // The account's address is split at 号: the street into 地址, the rest into 详细地址 (nothing typed twice).
    await expect(page.getByPlaceholder("街道、小区").inputValue()).resolves.toBe("滨江路 88 号");
    await expect(page.getByPlaceholder("楼栋、单元、门牌号").inputValue()).resolves.toBe("3 栋 2 单元 501");
    await page.getByPlaceholder("18 位身份证号").fill(VALID_ID);

    const photos = page.locator(".id-photo input[type=file]");
    await photos.nth(0).setInputFiles(await photo(page, "id-front.jpg", "#1989fa"));
    await photos.nth(1).setInputFiles(await photo(page, "id-back.png", "#07c160"));
    await expect(eventually(async () => ((await page.locator(".id-photo .van-uploader__preview").count()) === 2 && (await page.locator(".id-photo .van-uploader__mask").count()) === 0 ? true : undefined), "both photos uploaded", WAIT.timeout)).resolves.toBe(true);

    await page.getByPlaceholder("用于接收办理通知").fill(phone);
    await minutePassed(server, phone, FAN); // the phone was verified a moment ago; the next code needs a minute's gap
    await page.getByRole("button", { name: "获取验证码" }).click();
    const sms = page.getByText(/沙箱短信：/);
    await sms.waitFor(WAIT);
    const code = /\d{6}/.exec((await sms.textContent()) ?? "")?.[0];
    expect(code).toMatch(/^\d{6}$/);
    await page.getByPlaceholder("选填").fill("水表走得比以前快");
    // A mistyped code: the server's message, and nothing stored.
    expectedFailures = [/^400 POST \/api\/fan\/applications$/];
    await page.getByPlaceholder("6 位数字").fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "提交水表校验申请" }).click();
    await page.getByText(/验证码不正确，还可以再试 \d 次/).waitFor(WAIT);
    await expect(server.dataSource.getRepository(Application).countBy({ fanOpenid: FAN })).resolves.toBe(0);

    await page.getByPlaceholder("6 位数字").fill(code!);
    await expectTidy("application form");
    await shot("application-form");
    await page.getByRole("button", { name: "提交水表校验申请" }).click();

    await page.waitForURL(/#\/applications\/[0-9a-f-]{36}$/, WAIT);
    const applicationId = /applications\/([0-9a-f-]{36})$/.exec(page.url())![1];
    created.applicationId = applicationId;
    await page.locator(".status").getByText("待支付").waitFor(WAIT);
    await page.getByRole("link", { name: /去支付 ¥25\.00/ }).or(page.getByRole("button", { name: /去支付 ¥25\.00/ })).waitFor(WAIT);

    const stored = await server.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId });
    expect(stored).toMatchObject({
      fanOpenid: FAN,
      type: "meter_check",
      status: "awaiting_payment",
      ownerName: ACCOUNT.ownerName,
      customerNumber: ACCOUNT.customerNumber,
      idNumber: VALID_ID,
      area: ACCOUNT.area,
      detailAddress: "3 栋 2 单元 501",
      phone,
      remark: "水表走得比以前快",
      feeFen: 2500,
      paidAt: null,
    });
    const uploads = await server.dataSource.getRepository(FanUpload).findBy([{ id: stored.idFrontUploadId }, { id: stored.idBackUploadId }]);
    expect(uploads.map((upload) => [upload.fanOpenid, upload.kind, upload.contentType]).sort()).toEqual([
      [FAN, "image", "image/jpeg"],
      [FAN, "image", "image/png"],
    ]);

    // The list shows it waiting for payment.
    await page.goto(`${base()}/h5/#/applications`);
    const row = page.locator(".van-cell", { hasText: stored.number });
    await row.getByText("待支付").waitFor(WAIT);
    await expectRowReadable(row);
    await expectTidy("applications (one awaiting payment)");
    await shot("applications");
    await row.click();
    await page.waitForURL(new RegExp(`#/applications/${applicationId}$`), WAIT);

    await page.getByRole("link", { name: /去支付/ }).or(page.getByRole("button", { name: /去支付/ })).click();
    await page.waitForURL(new RegExp(`#/pay/application/${applicationId}$`), WAIT);
    await page.getByTestId("pay-button").click();
    await page.getByTestId("sandbox-pay-sheet").waitFor(WAIT);
    await page.getByTestId("sandbox-pay-confirm").click();
    await page.waitForURL(/#\/pay\/result\//, WAIT);
    await page.locator('[data-testid="pay-result"][data-status="paid"]').waitFor(WAIT);
    await page.getByText("费用已缴纳").waitFor(WAIT);

    const order = await server.dataSource.getRepository(PayOrder).findOneByOrFail({ fanOpenid: FAN, applicationId });
    expect(order).toMatchObject({ purpose: "application", status: "paid", amountFen: 2500 });
    const paid = await eventually(async () => {
      const current = await server.dataSource.getRepository(Application).findOneByOrFail({ id: applicationId });
      return current.status === "submitted" ? current : undefined;
    }, "the application past its payment", WAIT.timeout);
    expect(paid.paidAt).not.toBeNull();
    const events = await server.dataSource.getRepository(ApplicationEvent).find({ where: { applicationId }, order: { at: "ASC" } });
    expect(events.map((event) => [event.fromStatus, event.toStatus])).toEqual([
      [null, "awaiting_payment"],
      ["awaiting_payment", "submitted"],
    ]);

    // Back on the application: paid, submitted, both steps on the timeline.
    await page.goto(`${base()}/h5/#/applications/${applicationId}`);
    await page.locator(".status").getByText("已提交").waitFor(WAIT);
    await expect(page.getByText(/去支付/).count()).resolves.toBe(0);
    const steps = page.locator(".van-step");
    await expect(eventually(async () => ((await steps.count()) === 2 ? true : undefined), "two timeline steps", WAIT.timeout)).resolves.toBe(true);
    await expect(steps.nth(0).locator(".step-title").innerText()).resolves.toContain("已提交");
    await expect(steps.nth(1).locator(".step-title").innerText()).resolves.toContain("待支付");
    await page.locator(".van-cell", { hasText: "服务费" }).getByText("已支付").waitFor(WAIT);
    await page.locator(".van-cell", { hasText: "身份证号" }).getByText("1101**********002X").waitFor(WAIT); // masked once stored
    await expectTidy("application detail (paid)");
    await shot("application-detail");
  });

  test("投诉建议: photos and a location filed, accepted and answered by a supervisor, rated by the fan", async () => {
    await page.goto(`${base()}/h5/#/complaints`);
    await page.getByText("还没有提交过投诉或建议").waitFor(WAIT);
    await expectTidy("complaints (empty)");
    await page.getByRole("link", { name: "我要投诉 / 提建议" }).or(page.getByRole("button", { name: "我要投诉 / 提建议" })).click();
    await page.waitForURL(/#\/complaints\/new$/, WAIT);

    await page.getByRole("button", { name: "提交", exact: true }).click();
    await page.getByText("请填写内容").waitFor(WAIT);
    const content = "小区门口的消火栓漏水两天了，路面一直有积水，请尽快派人维修。";
    await page.getByPlaceholder("请描述遇到的问题：时间、地点、经过").fill(content);
    const camera = await cameraPhoto(page);
    expect(camera.buffer.length).toBeGreaterThan(1024 * 1024);
    await page.locator(".box").first().locator("input[type=file]").setInputFiles([camera, await photo(page, "leak-2.png", "#ff976a")]);
    // A recording from the phone's recorder app (AMR, as WeChat and many Android recorders save it).
    await page.locator(".box").nth(1).locator("input[type=file]").setInputFiles({ name: "voice.amr", mimeType: "audio/amr", buffer: AMR });
    await expect(eventually(async () => ((await page.locator(".box").first().locator(".van-uploader__preview").count()) === 2 && (await page.locator(".box").nth(1).locator(".van-uploader__preview").count()) === 1 && (await page.locator(".van-uploader__mask").count()) === 0 ? true : undefined), "photos and recording uploaded", WAIT.timeout)).resolves.toBe(true);

    // The phone's position (granted to the page); inside WeChat the JS-SDK would answer instead.
    await page.locator(".van-cell", { hasText: "当前位置" }).click();
    await page.getByText(`${NEAR_CHENGXI.latitude.toFixed(4)}, ${NEAR_CHENGXI.longitude.toFixed(4)}`).waitFor(WAIT);
    await page.getByPlaceholder("如：滨江路 88 号门口").fill("人民路 56 号门口");
    await page.getByText(`${ACCOUNT.customerNumber} ${ACCOUNT.address}`).click();
    await expectTidy("complaint form");
    await shot("complaint-form");
    await page.getByRole("button", { name: "提交", exact: true }).click();

    await page.waitForURL(/#\/complaints\/[0-9a-f-]{36}$/, WAIT);
    const complaintId = /complaints\/([0-9a-f-]{36})$/.exec(page.url())![1];
    created.complaintId = complaintId;
    await page.locator(".status").getByText("已提交").waitFor(WAIT);
    await expect(eventually(async () => ((await page.locator(".photos .van-image img").count()) === 2 ? true : undefined), "two photos shown", WAIT.timeout)).resolves.toBe(true);
    await page.getByText("位置：人民路 56 号门口").waitFor(WAIT);
    await page.getByText(/语音留言：已上传（\d+ KB）/).waitFor(WAIT); // AMR: browsers cannot play it, so no silent player
    await page.getByText(`户号：${ACCOUNT.customerNumber}`).waitFor(WAIT);

    const filed = await server.dataSource.getRepository(Complaint).findOneByOrFail({ id: complaintId });
    expect(filed).toMatchObject({ fanOpenid: FAN, source: "h5", category: "complaint", content, status: "submitted", customerNumber: ACCOUNT.customerNumber, rating: null });
    expect(filed.photoUploadIds).toHaveLength(2);
    expect(filed.voiceUploadId).not.toBeNull();
    await expect(server.dataSource.getRepository(FanUpload).findOneByOrFail({ id: filed.voiceUploadId! })).resolves.toMatchObject({ fanOpenid: FAN, kind: "voice" });
    expect(filed.location).toMatchObject({ lat: NEAR_CHENGXI.latitude, lng: NEAR_CHENGXI.longitude, label: "人民路 56 号门口" });
    const photoRows = await server.dataSource.getRepository(FanUpload).findBy(filed.photoUploadIds!.map((id) => ({ id })));
    expect(photoRows.every((row) => row.fanOpenid === FAN && row.kind === "image")).toBe(true);
    expect(photoRows).toHaveLength(2);
    // The camera photo arrived shrunk (1600 px on its long edge), well under the server's 5 MB.
    const shrunk = photoRows.find((row) => row.id === filed.photoUploadIds![0])!;
    expect(shrunk.contentType).toBe("image/jpeg");
    expect(shrunk.sizeBytes).toBeLessThan(camera.buffer.length);

    // 我的投诉 lists it.
    await page.goto(`${base()}/h5/#/complaints`);
    const row = page.locator(".van-cell", { hasText: filed.number! });
    await row.getByText("已提交").waitFor(WAIT);
    await expectRowReadable(row);
    await expectTidy("complaints (one)");
    await shot("complaints");

    // A supervisor accepts and answers it in the console.
    const supervisor = await server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber: "1001" });
    const staff = await cookieFor(server, supervisor);
    expect((await api(server, "POST", `/api/console/complaints/${complaintId}/accept`, { cookie: staff, body: {} })).status).toBe(200);
    const answer = "已派维修人员于今日下午更换消火栓阀门，漏水已处理，路面积水已清理。";
    expect((await api(server, "POST", `/api/console/complaints/${complaintId}/reply`, { cookie: staff, body: { result: answer } })).status).toBe(200);

    await row.click();
    await page.waitForURL(new RegExp(`#/complaints/${complaintId}$`), WAIT);
    await page.locator(".status").getByText("已答复").waitFor(WAIT);
    await page.locator(".result").getByText(answer).waitFor(WAIT);
    await expect(page.locator(".van-step").count()).resolves.toBeGreaterThanOrEqual(3);
    await expectTidy("complaint answered");
    await shot("complaint-replied");

    // The fan rates it 4 of 5.
    await page.locator(".van-rate__item").nth(3).click();
    await page.getByPlaceholder("说说您的意见（选填）").fill("处理及时");
    await page.getByRole("button", { name: "提交评价" }).click();
    await page.getByText("感谢您的评价").waitFor(WAIT);
    await page.locator(".status").getByText("已回访").waitFor(WAIT);
    await page.locator(".rated").waitFor(WAIT);
    await expect(page.getByRole("button", { name: "提交评价" }).count()).resolves.toBe(0);
    await expectTidy("complaint rated");
    await shot("complaint-rated");

    const rated = await server.dataSource.getRepository(Complaint).findOneByOrFail({ id: complaintId });
    expect(rated).toMatchObject({ status: "revisited", rating: 4, ratingBy: "fan", revisitNote: "处理及时", result: answer });
    const events = await server.dataSource.getRepository(ComplaintEvent).find({ where: { complaintId }, order: { at: "ASC" } });
    expect(events.map((event) => event.toStatus)).toEqual(["submitted", "accepted", "replied", "revisited"]);
  });

  test("业务流程, 收费标准, 营业网点: a guide's steps, the tier table, outlets nearest first", async () => {
    await page.goto(`${base()}/h5/#/guides`);
    const guides = page.locator(".van-cell-group").first().locator(".van-cell");
    await expect(eventually(async () => ((await guides.count()) > 0 ? true : undefined), "the guides", WAIT.timeout)).resolves.toBe(true);
    await expectTidy("guides");
    await shot("guides");
    const all = await guides.count();
    await page.getByRole("tab", { name: "水表" }).click();
    await page.waitForURL(/#\/guides\?category=/, WAIT);
    await expect(eventually(async () => ((await guides.count()) < all ? true : undefined), "the 水表 guides only", WAIT.timeout)).resolves.toBe(true);
    await page.getByText("水表校验", { exact: true }).waitFor(WAIT);
    await page.getByRole("tab", { name: "全部" }).click();
    await expect(eventually(async () => ((await guides.count()) === all ? true : undefined), "all guides again", WAIT.timeout)).resolves.toBe(true);
    const title = (await guides.first().locator(".van-cell__title > span").first().innerText()).trim();
    await guides.first().click();
    await page.waitForURL(/#\/guides\/[0-9a-f-]{36}$/, WAIT);
    await page.locator(".head h1").getByText(title).waitFor(WAIT);
    await expect(page.locator(".steps .van-step").count()).resolves.toBeGreaterThan(1);
    await page.getByText("第 1 步").waitFor(WAIT);
    await expectTidy("guide detail");
    await shot("guide-detail");

    await page.goto(`${base()}/h5/#/fees`);
    const residential = page.locator(".standard", { hasText: "居民生活用水" });
    await residential.waitFor(WAIT);
    await expect(residential.locator("tbody tr").count()).resolves.toBe(3);
    await residential.getByText("第一阶梯").waitFor(WAIT);
    await expect(residential.locator("tbody tr").first().locator(".price").innerText()).resolves.toMatch(/^¥\d+\.\d{2}$/);
    await expectTidy("fees");
    await shot("fees");

    await page.goto(`${base()}/h5/#/outlets`);
    await page.getByText("已按离您的距离排列").waitFor(WAIT);
    const outlets = page.locator("section.outlet");
    await expect(outlets.count()).resolves.toBe(4);
    await expect(outlets.first().locator("h2").innerText()).resolves.toBe("城西营业厅");
    await expect(outlets.first().locator(".distance").innerText()).resolves.toMatch(/^\d+ 米$/);
    const distances = await outlets.locator(".distance").allInnerTexts();
    expect(distances).toHaveLength(4);
    const meters = distances.map((label) => (label.endsWith("公里") ? Number.parseFloat(label) * 1000 : Number.parseFloat(label)));
    expect([...meters].sort((a, b) => a - b)).toEqual(meters);
    await expectTidy("outlets");
    await shot("outlets");
  });

  test("水务资讯: the tabs, a repair's timeline, outages searched by date and area", async () => {
    await page.goto(`${base()}/h5/#/notices`);
    const cards = page.getByTestId("notice-card");
    // The six demo notices, each once (the list loads page by page as it scrolls).
    await page.getByText("没有更多了").waitFor(WAIT);
    const links = await cards.evaluateAll((elements) => elements.map((element) => element.getAttribute("href")));
    expect(links).toHaveLength(6);
    expect(new Set(links).size).toBe(6);
    await expectTidy("notices");
    await shot("notices");

    await page.getByRole("tab", { name: "抢修" }).click();
    await page.waitForURL(/#\/notices\?kind=repair$/, WAIT);
    await expect(eventually(async () => ((await cards.count()) === 1 ? true : undefined), "one repair notice", WAIT.timeout)).resolves.toBe(true);
    await cards.first().getByText("人民路 DN300 供水管道爆管抢修").click();
    await page.waitForURL(/#\/notices\/[0-9a-f-]{36}$/, WAIT);
    const timeline = page.getByTestId("repair-timeline");
    await timeline.waitFor(WAIT);
    await expect(timeline.locator(".van-step").count()).resolves.toBe(3);
    // Newest first.
    await expect(timeline.locator(".van-step").first().innerText()).resolves.toContain("预计 3 小时内恢复供水");
    await expectTidy("repair notice");
    await shot("repair");

    await page.goBack();
    await page.waitForURL(/#\/notices\?kind=repair$/, WAIT);
    await page.getByRole("tab", { name: "停水" }).click();
    await page.waitForURL(/#\/notices\?kind=outage$/, WAIT);
    await expect(eventually(async () => ((await cards.count()) === 2 ? true : undefined), "two outage notices", WAIT.timeout)).resolves.toBe(true);
    await cards.getByText("滨江路供水管网改造计划停水").waitFor(WAIT);
    await cards.getByText("湖滨路阀门更换计划停水").waitFor(WAIT);

    // The outage search: today (China time) has the ongoing 滨江路 outage in 城东片区.
    await page.goto(`${base()}/h5/#/notices/outages`);
    const chinaDay = (offsetMs: number) => new Date(Date.now() + 8 * 3600_000 + offsetMs).toISOString().slice(0, 10);
    await page.getByText(`${chinaDay(0)} 全部区域：1 条停水通知`).waitFor(WAIT);
    await cards.getByText("滨江路供水管网改造计划停水").waitFor(WAIT);
    await expectTidy("outage search (today)");

    await page.getByTestId("outage-area").click();
    await page.locator(".van-picker-column__item", { hasText: "城西片区" }).click();
    await page.getByRole("button", { name: "确认" }).click();
    await page.getByText(`${chinaDay(0)} 城西片区：无停水通知`).waitFor(WAIT);
    await page.getByText("该日期该区域暂无停水安排，正常供水").waitFor(WAIT);

    // Two days on, 湖滨路's planned outage reaches 城西片区.
    const [year, month, day] = chinaDay(2 * 86_400_000).split("-").map(Number);
    await page.getByTestId("outage-date").click();
    const calendarMonth = page.locator(".van-calendar__month", { has: page.locator(".van-calendar__month-title", { hasText: `${year}年${month}月` }) });
    await calendarMonth.locator(".van-calendar__day", { hasText: new RegExp(`^${day}$`) }).click();
    await page.locator(".van-calendar__confirm").click();
    await page.locator(".van-calendar").waitFor({ state: "hidden", ...WAIT });
    await page.getByText(`${chinaDay(2 * 86_400_000)} 城西片区：1 条停水通知`).waitFor(WAIT);
    await cards.getByText("湖滨路阀门更换计划停水").waitFor(WAIT);
    await expectTidy("outage search (in two days, 城西片区)");
    await shot("outage-search");
  });

  test("another fan opening those links sees neither the application nor the complaint", async () => {
    const other = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const stranger = await other.newPage();
    stranger.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    try {
      await stranger.goto(`${base()}/api/fan/oauth/start?openid=oDemoFan0000000000000000003&next=${encodeURIComponent(`/h5/#/applications/${created.applicationId}`)}`);
      await stranger.getByText("申请不存在").waitFor(WAIT);
      await stranger.goto(`${base()}/h5/#/complaints/${created.complaintId}`);
      await stranger.getByText("工单不存在").waitFor(WAIT);
      await stranger.goto(`${base()}/h5/#/pay/application/${created.applicationId}`);
      await stranger.getByText("申请不存在").waitFor(WAIT);
      const body = (await stranger.locator("body").innerText()) + (await stranger.goto(`${base()}/h5/#/applications`).then(() => stranger.getByText("还没有提交过申请").waitFor(WAIT)).then(() => stranger.locator("body").innerText()));
      expect(body).not.toContain(ACCOUNT.ownerName);
      expect(body).not.toContain(ACCOUNT.customerNumber);
    } finally {
      await other.close();
    }
  });
});
