import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { systemClock } from "../src/infra/clock";
import { InboundMessageRow } from "../src/modules/inbox/inboundMessage.entity";
import { enqueueOutbound, type OutboundRequest } from "../src/modules/outbox/outbox";
import { eventually } from "./agentsHelpers";
import { launchChromium } from "./support/browser";
import { startServer, type RunningServer } from "../src/server";

/**
 * The fan simulator end to end: the whole server in sandbox mode (SQLite), driven in real Chromium the
 * way a person trying the product would, in plaintext and in safe mode. What the page shows is checked
 * against what the product stored and sent.
 */

jest.setTimeout(90_000);

const OUTPUT_DIR = join(__dirname, "../../test-output");
const DEMO_FAN = { openid: "oDemoFan0000000000000000003", nickname: "王晓明" };
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const WAIT = { timeout: 15_000 };

describe.each([
  ["plaintext", {}],
  ["safe-mode", { WECHAT_AES_KEY: AES_KEY }],
])("fan simulator in Chromium (%s)", (mode, env: Record<string, string>) => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "shuiwu-sandbox-e2e-"));
    const config = loadConfig({
      PORT: "0",
      DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`,
      SANDBOX: "1",
      LOG_LEVEL: "silent",
      ...env,
    });
    server = await startServer(config, { host: "127.0.0.1" });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 880 }, locale: "zh-CN" });
    await page.goto(`${server.url}/sandbox`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => jest.restoreAllMocks());

  const messages = () => page.locator("#messages");
  const inbound = (where: { kind?: string } = {}) =>
    server.dataSource.getRepository(InboundMessageRow).find({ where: { openid: DEMO_FAN.openid, ...where }, order: { receivedAt: "ASC" } });

  async function enqueue(request: OutboundRequest): Promise<void> {
    await server.dataSource.transaction((manager) => enqueueOutbound(manager, request, systemClock));
    server.dispatcher.wake();
  }

  test("a demo fan follows, chats, taps the published menu and receives a customer-service message", async () => {
    await page.getByRole("button", { name: DEMO_FAN.nickname }).click();
    await page.locator("#fan-openid", { hasText: DEMO_FAN.openid }).waitFor(WAIT);
    await page.locator("#mode", { hasText: mode === "safe-mode" ? "安全模式" : "明文模式" }).waitFor(WAIT);

    // Demo fans start as followers; unfollow first so following is a real subscribe event.
    await page.getByRole("button", { name: "取消关注" }).click();
    await messages().getByText("你取消关注了公众号").waitFor(WAIT);
    await page.locator("#follow-button").click();
    await messages().getByText("你关注了公众号").waitFor(WAIT);
    await messages().locator(".row.account .bubble", { hasText: "欢迎关注水务客服" }).waitFor(WAIT);

    await page.getByLabel("消息内容").fill("你好");
    await page.getByRole("button", { name: "发送", exact: true }).click();
    await messages().locator(".row.fan .bubble", { hasText: "你好" }).waitFor(WAIT);
    const [text] = await eventually(async () => {
      const rows = await inbound({ kind: "text" });
      return rows.length > 0 ? rows : undefined;
    }, "the text in inbound_message", WAIT.timeout);
    expect(text.payload).toMatchObject({ content: "你好", toUserName: "gh_sandbox0001" });
    // The default menu is published on first start (the menus module, sandbox with demo data).
    await page.locator("#menu-bar").getByRole("button", { name: "我的用水" }).waitFor(WAIT);

    await enqueue({
      kind: "menu_create",
      menu: {
        button: [
          { type: "click", name: "查水费", key: "BILL_QUERY" },
          {
            name: "服务",
            sub_button: [
              { type: "click", name: "报修", key: "REPAIR" },
              { type: "click", name: "停水公告", key: "OUTAGE_NOTICES" },
            ],
          },
        ],
      },
    });
    // The page notices the new menu on its next poll.
    const menuBar = page.locator("#menu-bar");
    await menuBar.getByRole("button", { name: "查水费" }).waitFor(WAIT);
    await menuBar.getByRole("button", { name: "服务" }).click();
    await menuBar.getByRole("button", { name: "报修" }).waitFor(WAIT);
    await page.screenshot({ path: join(OUTPUT_DIR, `sandbox-${mode}-menu.png`) });
    await menuBar.getByRole("button", { name: "报修" }).click();
    await messages().getByText("你点击了菜单「报修」").waitFor(WAIT);
    const click = await eventually(async () => (await inbound({ kind: "click" }))[0], "the click in inbound_message", WAIT.timeout);
    expect(click.payload).toMatchObject({ eventKey: "REPAIR" });

    await enqueue({ kind: "custom", message: { type: "text", toUser: DEMO_FAN.openid, content: "您好，我是客服小王，请问有什么可以帮您？" } });
    const reply = messages().locator(".row.account", { hasText: "我是客服小王" });
    await reply.waitFor(WAIT);
    expect(await reply.locator(".via").textContent()).toBe("客服消息");
    await page.screenshot({ path: join(OUTPUT_DIR, `sandbox-${mode}-chat.png`) });
  });

  test("image, voice and location from the + panel reach /wechat", async () => {
    await page.getByRole("button", { name: "更多功能" }).click();
    await page.getByRole("button", { name: "发送示例图片（水表照片）" }).click();
    await messages().locator(".row.fan img.picture").waitFor(WAIT);

    await page.getByRole("tab", { name: "语音" }).click();
    await page.getByLabel("语音内容").fill("我想查一下这个月的水费");
    await page.getByRole("button", { name: "发送语音" }).click();
    await messages().getByText("转文字：我想查一下这个月的水费").waitFor(WAIT);

    await page.getByRole("tab", { name: "位置" }).click();
    await page.getByRole("button", { name: "发送位置" }).click();
    await messages().locator(".row.fan .card-head", { hasText: "人民路 88 号" }).waitFor(WAIT);

    const kinds = await eventually(async () => {
      const rows = await inbound();
      const found = rows.map((row) => row.kind).filter((kind) => ["image", "voice", "location"].includes(kind));
      return found.length === 3 ? found : undefined;
    }, "image, voice and location in inbound_message", WAIT.timeout);
    expect(kinds).toEqual(["image", "voice", "location"]);
    const [image] = await inbound({ kind: "image" });
    const picture = await fetch(String(image.payload.picUrl));
    expect(picture.headers.get("content-type")).toBe("image/png");
  });

  test("when /wechat does not answer 200 the page shows it as an error", async () => {
    jest.spyOn(server.inbox, "handle").mockRejectedValueOnce(new Error("database down"));
    await page.getByLabel("消息内容").fill("有人吗");
    await page.getByRole("button", { name: "发送", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "公众号没有正常响应" }).waitFor(WAIT);
    const failure = messages().locator(".note.failed", { hasText: "该公众号暂时无法提供服务" });
    await failure.waitFor(WAIT);
    expect(await failure.textContent()).toContain("HTTP 500");
    await messages().locator(".row.fan", { hasText: "有人吗" }).locator(".status.failed").waitFor(WAIT);
    await page.screenshot({ path: join(OUTPUT_DIR, `sandbox-${mode}-error.png`) });
  });
});
