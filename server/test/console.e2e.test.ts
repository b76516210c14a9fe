import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { DEMO_AGENTS, DEMO_FANS } from "../src/modules/demo/seedDemo";
import { Conversation } from "../src/modules/conversations/conversation.entity";
import { conversationsService } from "../src/modules/conversations/conversationsModule";
import { Fan } from "../src/modules/fans/fan.entity";
import { launchChromium } from "./support/browser";
import { startServer, type RunningServer } from "../src/server";

/**
 * The agent console end to end: the whole server in sandbox mode (SQLite), the built console in real
 * Chromium, and the fan simulator (/sandbox) playing both the agent's own WeChat (scanning the login QR
 * code) and the fans. Each test continues from the previous one, the way an agent's shift does.
 * Screenshots go to test-output/console-*.png for a reviewer.
 */

jest.setTimeout(120_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const CONSOLE_DIST = join(__dirname, "../../console/dist/index.html");
const WAIT = { timeout: 15_000 };
const AGENT = DEMO_AGENTS.find((agent) => agent.role === "agent")!;
const UNBOUND_PHONE = DEMO_FANS[0]; // a fan's WeChat is not bound to any agent account
const FAN = DEMO_FANS[1];
const IDLE_FAN = DEMO_FANS[2];
const HOUR = 3600_000;

describe("agent console in Chromium", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let agentPage: Page;
  let phone: Page;

  beforeAll(async () => {
    if (!existsSync(CONSOLE_DIST)) throw new Error("console/dist is missing: run `npm run build` (CI builds before `npm test`)");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-console-e2e-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" });
    server = await startServer(config, { host: "127.0.0.1" });
    // Whatever the hour the test runs at, fans reach the queue instead of leaving a message.
    await server.settings.set("service.hoursStart", "00:00");
    await server.settings.set("service.hoursEnd", "24:00");
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    agentPage = await context.newPage();
    phone = await context.newPage();
    await phone.goto(`${server.url}/sandbox`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(OUTPUT_DIR, `console-${name}.png`) });
  const waitingList = () => agentPage.getByRole("region", { name: "排队中" });
  const myList = () => agentPage.getByRole("region", { name: "我的会话" });
  const chat = () => agentPage.getByRole("region", { name: "聊天" });
  const fanChat = () => phone.locator("#messages");

  /** The simulator acts as this WeChat user (a fan's phone, or an agent's own). */
  async function actAs(person: { openid: string; nickname?: string; phoneNickname?: string }): Promise<void> {
    await phone.locator(`#fan-list button[data-openid="${person.openid}"]`).click();
    await phone.locator("#fan-openid", { hasText: person.openid }).waitFor(WAIT);
  }

  async function fanSays(person: { openid: string; nickname: string }, text: string): Promise<void> {
    await actAs(person);
    await phone.getByLabel("消息内容").fill(text);
    await phone.getByRole("button", { name: "发送", exact: true }).click();
    await fanChat().locator(".row.fan .bubble", { hasText: text }).last().waitFor(WAIT);
  }

  async function reply(text: string): Promise<void> {
    await chat().getByLabel("回复内容").fill(text);
    await chat().getByLabel("回复内容").press("Enter");
  }

  async function openConversation(id: string): Promise<void> {
    await agentPage.goto(`${server.url}/console/#/workspace/${id}`);
    await chat().getByTestId("conversation-status").waitFor(WAIT);
  }

  async function openConversationOf(openid: string): Promise<Conversation> {
    return server.dataSource.getRepository(Conversation).findOneByOrFail({ openFanOpenid: openid });
  }

  test("an agent logs in by scanning the login QR code with their own WeChat, without a reload", async () => {
    await agentPage.goto(`${server.url}/console/`);
    await agentPage.waitForURL(/#\/login/, WAIT);
    const sceneLine = agentPage.getByTestId("login-scene");
    await sceneLine.waitFor(WAIT);
    const scene = (await sceneLine.textContent())!.replace("场景值：", "").trim();
    expect(scene).toMatch(/^login_/);
    await expect(agentPage.getByRole("img", { name: "登录二维码" }).getAttribute("src")).resolves.toContain("/sandbox/");
    // A marker that a reload would wipe out; and the status poll (the page's fallback) is cut off, so the
    // scan can only reach the page pushed over the socket.
    await agentPage.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));
    const statusPoll = /\/api\/console\/login\/qr\/login_/;
    await agentPage.route(statusPoll, (route) => route.abort());
    await shot(agentPage, "login");

    // A WeChat that is bound to no agent is refused, on the phone and on the page.
    await actAs(UNBOUND_PHONE);
    await phone.getByLabel("二维码场景值").fill(scene);
    await phone.getByRole("button", { name: "扫一扫" }).click();
    await fanChat().getByText("尚未绑定客服账号").waitFor(WAIT);
    await agentPage.getByText("扫码的微信尚未绑定客服账号").waitFor(WAIT);

    await actAs(AGENT);
    await phone.getByLabel("二维码场景值").fill(scene);
    await phone.getByRole("button", { name: "扫一扫" }).click();
    await fanChat().getByText("登录成功").waitFor(WAIT);

    await agentPage.waitForURL(/#\/workspace/, WAIT);
    await agentPage.locator("header .me", { hasText: AGENT.name }).waitFor(WAIT);
    expect(await agentPage.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    await agentPage.unroute(statusPoll);
    await agentPage.getByRole("radiogroup", { name: "我的状态" }).getByText("在线").waitFor(WAIT);
    await shot(agentPage, "workspace");
  });

  test("a fan asks for a human, the agent accepts from the waiting list and the replies reach the fan", async () => {
    await fanSays(FAN, "人工");
    const waiting = waitingList().locator("li", { hasText: FAN.nickname });
    await waiting.waitFor(WAIT);
    await shot(agentPage, "waiting");

    await waiting.getByRole("button", { name: "接入" }).click();
    await myList().locator("li", { hasText: FAN.nickname }).waitFor(WAIT);
    await waitingList().locator("li", { hasText: FAN.nickname }).waitFor({ state: "detached", ...WAIT });
    await chat().locator("header", { hasText: FAN.nickname }).getByTestId("conversation-status").filter({ hasText: "接待中" }).waitFor(WAIT);
    await chat().getByTestId("window-countdown").filter({ hasText: /^回复窗口 47:59:\d\d$/ }).waitFor(WAIT);
    // The agent's greeting goes out on accept.
    await fanChat().locator(".row.account", { hasText: "很高兴为您服务" }).waitFor(WAIT);

    await reply("您好，我是客服刘洋，请问有什么可以帮您？");
    await fanChat().locator(".row.account", { hasText: "我是客服刘洋" }).waitFor(WAIT);

    // A new message from the fan shows without a refresh.
    await fanSays(FAN, "我家水表好像坏了");
    await chat().locator(".row.left .bubble", { hasText: "我家水表好像坏了" }).waitFor(WAIT);

    // An image: uploaded as WeChat media, then sent by its mediaId.
    const picture = await agentPage.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 160;
      canvas.height = 120;
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#1989fa";
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = "#fff";
      g.font = "28px sans-serif";
      g.fillText("水表 0428", 16, 70);
      return canvas.toDataURL("image/png").split(",")[1]!;
    });
    await chat().getByTestId("image-input").setInputFiles({ name: "meter.png", mimeType: "image/png", buffer: Buffer.from(picture, "base64") });
    await chat().locator(".row.right .bubble.image img").waitFor(WAIT);
    await fanChat().locator(".row.account img").last().waitFor(WAIT);

    // WeChat refuses the next message: the console shows it failed, and why.
    server.context.sandbox!.fake.failNext("/cgi-bin/message/custom/send", { errcode: 43004, errmsg: "require subscribe hint" });
    await reply("我们马上安排师傅上门");
    const failed = chat().locator(".row.right", { hasText: "我们马上安排师傅上门" }).getByRole("alert");
    await failed.waitFor(WAIT);
    expect(await failed.textContent()).toContain("43004");
    await shot(agentPage, "chat");
    await shot(phone, "sandbox-fan");
  });

  test("a reply 48 hours after the fan's last interaction is refused on screen, and a template message is offered", async () => {
    const conversation = await openConversationOf(FAN.openid);
    const longAgo = new Date(Date.now() - 49 * HOUR);
    await server.dataSource
      .getRepository(Fan)
      .update({ openid: FAN.openid }, { lastMessageAt: longAgo, lastEventAt: longAgo, lastInteractionAt: longAgo });

    // The page still counts down from before: the server refuses, and the page says why.
    await reply("请问您方便什么时候在家？");
    await agentPage.locator(".el-message--error", { hasText: "超过48小时" }).waitFor(WAIT);
    const blocked = chat().locator(".blocked[data-mode='window_closed']");
    await blocked.getByText("粉丝最后一次互动已超过48小时，无法发送客服消息").waitFor(WAIT);

    // After a reload too: the input is gone, the countdown says closed, the template action is offered.
    await openConversation(conversation.id);
    await blocked.waitFor(WAIT);
    expect(await chat().getByLabel("回复内容").count()).toBe(0);
    await chat().getByTestId("window-countdown").filter({ hasText: "已关闭" }).waitFor(WAIT);
    await myList().locator("li", { hasText: FAN.nickname }).getByText("已关闭").waitFor(WAIT);
    await shot(agentPage, "window-closed");

    await server.settings.set("conversation.fallbackTemplate.id", "tmpl_service_notice");
    await blocked.getByRole("button", { name: "发送模板消息" }).click();
    const dialog = agentPage.getByRole("dialog", { name: "发送模板消息" });
    await dialog.getByLabel("模板消息内容").fill("您的报修已受理，请保持电话畅通");
    await dialog.getByRole("button", { name: "发送" }).click();
    await chat().locator(".row.right .bubble.template", { hasText: "您的报修已受理" }).waitFor(WAIT);
    await fanChat().getByText("您的报修已受理").waitFor(WAIT);
  });

  test("a conversation idle for 30 minutes shows as expired and must be re-accepted before replying", async () => {
    await fanSays(IDLE_FAN, "人工");
    const waiting = waitingList().locator("li", { hasText: IDLE_FAN.nickname });
    await waiting.waitFor(WAIT);
    await waiting.getByRole("button", { name: "接入" }).click();
    await chat().locator("header", { hasText: IDLE_FAN.nickname }).getByTestId("conversation-status").filter({ hasText: "接待中" }).waitFor(WAIT);
    await fanSays(IDLE_FAN, "我想问一下水费");
    await chat().locator(".row.left .bubble", { hasText: "我想问一下水费" }).waitFor(WAIT);

    // Nobody wrote for 31 minutes; then the timers run.
    const conversation = await openConversationOf(IDLE_FAN.openid);
    const idleSince = new Date(Date.now() - 31 * 60_000);
    await server.dataSource.getRepository(Conversation).update(
      { id: conversation.id },
      { lastMessageAt: idleSince, lastFanMessageAt: idleSince, acceptedAt: idleSince, awaitingAgentSince: idleSince },
    );
    const report = await conversationsService(server.context).jobs.runTimersOnce({ waitForLock: true });
    expect(report?.released).toBe(1);

    // Pushed to the page: the expired badge, and the input replaced by the re-accept action.
    const item = agentPage.getByRole("region", { name: "已超时" }).locator("li", { hasText: IDLE_FAN.nickname });
    await item.getByText("已超时").waitFor(WAIT);
    const blocked = chat().locator(".blocked[data-mode='expired']");
    await blocked.getByText("会话已超时").waitFor(WAIT);
    expect(await chat().getByLabel("回复内容").count()).toBe(0);
    await shot(agentPage, "expired");

    await blocked.getByRole("button", { name: "重新接入" }).click();
    await chat().getByTestId("conversation-status").filter({ hasText: "接待中" }).waitFor(WAIT);
    await reply("不好意思久等了，请问是哪个户号？");
    await fanChat().locator(".row.account", { hasText: "请问是哪个户号" }).waitFor(WAIT);
    expect((await server.dataSource.getRepository(Conversation).findOneByOrFail({ id: conversation.id })).status).toBe("active");
    await shot(agentPage, "reaccepted");
  });
});
