import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { loadConfig } from "../src/config";
import { Agent } from "../src/modules/agents/agent.entity";
import { SESSION_COOKIE } from "../src/modules/agents/sessions";
import { DEMO_AGENTS } from "../src/modules/demo/seedDemo";
import { startServer, type RunningServer } from "../src/server";
import { api } from "./agentsHelpers";
import { launchChromium } from "./support/browser";

/**
 * The two admin editors built on useCrudList + EditorDialog (business guides, keyword rules) in Chromium:
 * field errors from the server under the field, create, cancel, edit, toggle, delete.
 */
jest.setTimeout(180_000);
const WAIT = { timeout: 15_000 };
const ADMIN = DEMO_AGENTS.find((agent) => agent.role === "admin")!;

describe("admin list-and-dialog editors in Chromium (sandbox)", () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(__dirname, "../../console/dist/index.html"))) throw new Error("no dist");
    dir = mkdtempSync(join(tmpdir(), "shuiwu-crud-e2e-"));
    server = await startServer(loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" }), { host: "127.0.0.1" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function adminPage(route: string): Promise<{ page: Page; cookie: string }> {
    const agent = await server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber: ADMIN.jobNumber });
    const token = await server.context.sessions.create(agent.id);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url }]);
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/console/#/${route}`);
    return { page, cookie: `${SESSION_COOKIE}=${token}` };
  }
  const formItem = (scope: Locator, label: string) =>
    scope.locator(".el-form-item", { has: scope.page().locator(".el-form-item__label", { hasText: new RegExp(`^${label}$`) }) });

  test("a guide is created with a field error first, edited, cancelled, deleted", async () => {
    const { page, cookie } = await adminPage("admin/guides");
    await page.getByRole("button", { name: "新建指南" }).click();
    const dialog = page.locator(".el-dialog", { hasText: "新建指南" });
    await dialog.getByRole("button", { name: "保存" }).click();
    await formItem(dialog, "标题").locator(".el-form-item__error").waitFor(WAIT);
    await formItem(dialog, "标题").locator("input").fill("H 测试指南");
    await formItem(dialog, "分类").locator("input").fill("缴费");
    await dialog.getByLabel("第 1 步").fill("第一步");
    await dialog.getByRole("button", { name: "添加步骤" }).click();
    await dialog.getByLabel("第 2 步").fill("第二步");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.waitFor({ state: "hidden", ...WAIT });
    const row = page.locator(".el-table__row", { hasText: "H 测试指南" });
    await row.waitFor(WAIT);
    const guides = (await api(server, "GET", "/api/console/guides", { cookie })).body.guides;
    expect(guides.find((g: { title: string }) => g.title === "H 测试指南")).toMatchObject({ steps: ["第一步", "第二步"], category: "缴费" });

    await row.getByRole("button", { name: "编辑" }).click();
    const edit = page.locator(".el-dialog", { hasText: "编辑指南" });
    await expect(formItem(edit, "标题").locator("input").inputValue()).resolves.toBe("H 测试指南");
    await formItem(edit, "标题").locator("input").fill("H 测试指南二");
    await edit.getByRole("button", { name: "取消" }).click();
    await edit.waitFor({ state: "hidden", ...WAIT });
    await row.getByRole("button", { name: "编辑" }).click();
    await formItem(edit, "标题").locator("input").fill("H 改名指南");
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.waitFor({ state: "hidden", ...WAIT });
    const renamed = page.locator(".el-table__row", { hasText: "H 改名指南" });
    await renamed.waitFor(WAIT);
    await renamed.getByRole("button", { name: "删除" }).click();
    await page.locator(".el-message-box", { hasText: "确定删除“H 改名指南”吗？" }).getByRole("button", { name: "删除" }).click();
    await renamed.waitFor({ state: "detached", ...WAIT });
    expect(pageErrors).toEqual([]);
  });

  test("a keyword rule: empty refused client-side, created, toggled, edited, deleted", async () => {
    const { page, cookie } = await adminPage("admin/keywords");
    await page.getByRole("button", { name: "新建规则" }).click();
    const dialog = page.locator(".el-dialog", { hasText: "新建规则" });
    await dialog.getByRole("button", { name: "保存" }).click();
    await page.locator(".el-message", { hasText: "请填写关键词和回复内容" }).waitFor(WAIT);
    await formItem(dialog, "关键词").locator("input").fill(" 停水 ");
    await formItem(dialog, "回复内容").locator("textarea").fill("请查看停水通知");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.waitFor({ state: "hidden", ...WAIT });
    const row = page.locator(".el-table__row", { hasText: "请查看停水通知" });
    await row.waitFor(WAIT);
    let rules = (await api(server, "GET", "/api/console/keywords", { cookie })).body;
    expect(JSON.stringify(rules)).toContain('"keyword":"停水"');
    await row.locator(".el-switch").click();
    for (let i = 0; i < 50 && !JSON.stringify(rules).includes('"enabled":false'); i++) {
      await page.waitForTimeout(100);
      rules = (await api(server, "GET", "/api/console/keywords", { cookie })).body;
    }
    expect(JSON.stringify(rules)).toContain('"enabled":false');
    await row.getByRole("button", { name: "编辑" }).click();
    const edit = page.locator(".el-dialog", { hasText: "编辑规则" });
    await expect(formItem(edit, "关键词").locator("input").inputValue()).resolves.toBe("停水");
    await formItem(edit, "回复内容").locator("textarea").fill("停水请看公告");
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.waitFor({ state: "hidden", ...WAIT });
    const edited = page.locator(".el-table__row", { hasText: "停水请看公告" });
    await edited.waitFor(WAIT);
    await edited.getByRole("button", { name: "删除" }).click();
    await page.locator(".el-message-box", { hasText: "确定删除关键词“停水”的回复规则吗？" }).getByRole("button", { name: "删除" }).click();
    await edited.waitFor({ state: "detached", ...WAIT });
    expect(pageErrors).toEqual([]);
  });
});
