import { validateMenu as fakeWechatValidates } from "../../sandbox/fakeWechatMenu";
import { defaultMenu } from "./defaultMenu";
import { MENU_LIMITS, validateMenu } from "./menuValidation";

const click = (name: string, key = "K") => ({ type: "click", name, key });
const view = (name: string, url = "https://example.com/h5/") => ({ type: "view", name, url });
const mini = (name: string, extra: Record<string, unknown> = {}) => ({ type: "miniprogram", name, url: "https://example.com/", appid: "wx0123456789abcdef", pagepath: "pages/index/index", ...extra });

/** The first problem's message, or "ok". */
function verdict(menu: unknown): string {
  const result = validateMenu(menu);
  return result.ok ? "ok" : result.issues[0].message;
}

describe("menu validation (WeChat's limits, per item, in zh-CN)", () => {
  it("accepts the seeded default menu, and the fake WeChat accepts what we accept", () => {
    const result = validateMenu(defaultMenu("https://water.example.com"));
    expect(result.ok).toBe(true);
    if (result.ok) expect(fakeWechatValidates(result.menu)).toBe(0);
  });

  it.each([
    ["no buttons", { button: [] }, "菜单至少需要 1 个一级菜单"],
    ["not a menu", "menu", "菜单至少需要 1 个一级菜单"],
    ["4 top buttons", { button: [click("一"), click("二"), click("三"), click("四")] }, "一级菜单最多 3 个（当前 4 个）"],
    ["6 sub buttons", { button: [{ name: "服务", sub_button: Array.from({ length: 6 }, (_, i) => click(`项${i}`)) }] }, "第 1 个菜单：子菜单最多 5 个（当前 6 个）"],
    ["top name of 17 bytes", { button: [click("一二三四五六")] }, "第 1 个菜单：名称超过 16 字节（当前 18 字节，一个汉字占 3 字节）"],
    ["parent name of 17 bytes", { button: [{ name: "abcdefghijklmnopq", sub_button: [click("x")] }] }, "第 1 个菜单：名称超过 16 字节（当前 17 字节，一个汉字占 3 字节）"],
    [
      "sub name of 63 bytes",
      { button: [click("a"), { name: "b", sub_button: [click("x"), click("y"), click("二".repeat(21))] }] },
      "第 2 个菜单的第 3 个子菜单：名称超过 60 字节（当前 63 字节，一个汉字占 3 字节）",
    ],
    ["empty name", { button: [click("  ")] }, "第 1 个菜单：请填写名称"],
    ["name with a line break", { button: [click("查\n水费")] }, "第 1 个菜单：名称不能包含换行或控制字符"],
    ["leaf without type", { button: [{ name: "空" }] }, "第 1 个菜单：请选择菜单类型，或添加子菜单"],
    ["unsupported type", { button: [{ type: "media_id", name: "图文", media_id: "x" }] }, "第 1 个菜单：不支持的菜单类型「media_id」"],
    ["click without key", { button: [{ type: "click", name: "查" }] }, "第 1 个菜单：请填写菜单 KEY"],
    ["key of 129 bytes", { button: [click("查", "K".repeat(129))] }, "第 1 个菜单：菜单 KEY超过 128 字节（当前 129 字节）"],
    ["key with a space", { button: [click("查", "A B")] }, "第 1 个菜单：菜单 KEY不能包含空格或控制字符"],
    ["view without url", { button: [{ type: "view", name: "网" }] }, "第 1 个菜单：请填写网页链接"],
    ["view with a relative url", { button: [view("网", "/h5/#/bind")] }, "第 1 个菜单：网页链接不是有效的网址"],
    ["view with javascript:", { button: [view("网", "javascript:alert(1)")] }, "第 1 个菜单：网页链接必须以 http:// 或 https:// 开头"],
    ["url of 1025 bytes", { button: [view("网", `https://e.com/${"a".repeat(1025 - 14)}`)] }, "第 1 个菜单：网页链接超过 1024 字节（当前 1025 字节）"],
    ["miniprogram without appid", { button: [mini("小程序", { appid: "" })] }, "第 1 个菜单：请填写小程序 AppID"],
    ["miniprogram with a bad appid", { button: [mini("小程序", { appid: "wx123" })] }, "第 1 个菜单：小程序 AppID 格式不正确（wx 开头，共 18 位）"],
    ["miniprogram without pagepath", { button: [mini("小程序", { pagepath: undefined })] }, "第 1 个菜单：请填写小程序页面路径"],
    ["miniprogram without fallback url", { button: [mini("小程序", { url: undefined })] }, "第 1 个菜单：请填写备用网页链接（不支持小程序的客户端打开）"],
  ])("refuses %s", (_case, menu, message) => {
    expect(verdict(menu)).toContain(message);
  });

  it("accepts the limits exactly: 3 × 5 buttons, 16-byte top and 60-byte sub names, 128-byte key, 1024-byte url", () => {
    const url = `https://e.com/${"a".repeat(MENU_LIMITS.urlBytes - 14)}`;
    const menu = {
      button: [
        { name: "四个汉字", sub_button: [click("二".repeat(20), "K".repeat(128)), view("v", url), mini("m"), click("d"), click("e")] },
        { name: "abcdefghijklmnop", sub_button: [click("a")] },
        click("一二三四五", "KEY"),
      ],
    };
    const result = validateMenu(menu);
    expect(result.ok).toBe(true);
    if (result.ok) expect(fakeWechatValidates(result.menu)).toBe(0);
  });

  it("lists every problem, and stores a parent without a type of its own", () => {
    const result = validateMenu({ button: [{ type: "click", name: "父", key: "X", sub_button: [click(""), view("v", "ftp://x")] }] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((issue) => [issue.at, issue.field])).toEqual([
        [[0, 0], "name"],
        [[0, 1], "url"],
      ]);
    }
    const fine = validateMenu({ button: [{ type: "click", name: " 父 ", key: "X", sub_button: [click("子")] }] });
    expect(fine).toEqual({ ok: true, menu: { button: [{ name: "父", sub_button: [{ type: "click", name: "子", key: "K" }] }] } });
  });
});
