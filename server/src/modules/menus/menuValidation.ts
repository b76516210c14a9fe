import type { Menu, MenuButton, MenuLeafButton } from "../../wechat/api/menu";

/**
 * Checks a menu from the editor against WeChat's limits before anything is stored or published, and
 * names the item at fault in zh-CN ("第 2 个菜单的第 3 个子菜单：名称超过 60 字节"). Limits as in the
 * current menu/create documentation (reference §8): 1–3 top buttons, 1–5 sub buttons, names ≤ 16 bytes
 * (top) / ≤ 60 bytes (sub), key ≤ 128 bytes, url ≤ 1024 bytes, all in UTF-8 bytes (a CJK character is 3).
 * The editor offers the three types a water utility needs: click, view and miniprogram.
 */

export const MENU_LIMITS = {
  topButtons: 3,
  subButtons: 5,
  topNameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
  pagePathBytes: 1024,
} as const;

export const EDITABLE_BUTTON_TYPES = ["click", "view", "miniprogram"] as const;
export type EditableButtonType = (typeof EDITABLE_BUTTON_TYPES)[number];

export interface MenuIssue {
  /** Where, as indexes: [top] or [top, sub]; [] for the menu as a whole. */
  at: number[];
  field: "button" | "sub_button" | "name" | "type" | "key" | "url" | "appid" | "pagepath";
  message: string;
}

export type MenuValidation = { ok: true; menu: Menu } | { ok: false; issues: MenuIssue[] };

const TYPE_LABELS: Record<EditableButtonType, string> = { click: "点击推事件（click）", view: "跳转网页（view）", miniprogram: "跳转小程序（miniprogram）" };
const CONTROL = /[\u0000-\u001F\u007F]/;
const APPID = /^wx[0-9a-f]{16}$/i;

export function bytes(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** "第 2 个菜单" / "第 2 个菜单的第 3 个子菜单" (1-based, as people count). */
export function itemLabel(at: number[]): string {
  if (at.length === 0) return "菜单";
  return at.length === 1 ? `第 ${at[0] + 1} 个菜单` : `第 ${at[0] + 1} 个菜单的第 ${at[1] + 1} 个子菜单`;
}

export function validateMenu(input: unknown): MenuValidation {
  const issues: MenuIssue[] = [];
  const issue = (at: number[], field: MenuIssue["field"], problem: string) => issues.push({ at, field, message: `${itemLabel(at)}：${problem}` });

  const buttons = isRecord(input) ? input.button : undefined;
  if (!Array.isArray(buttons) || buttons.length === 0) {
    issues.push({ at: [], field: "button", message: "菜单至少需要 1 个一级菜单" });
    return { ok: false, issues };
  }
  if (buttons.length > MENU_LIMITS.topButtons) {
    issues.push({ at: [], field: "button", message: `一级菜单最多 ${MENU_LIMITS.topButtons} 个（当前 ${buttons.length} 个）` });
  }

  const menu: Menu = { button: [] };
  buttons.slice(0, MENU_LIMITS.topButtons).forEach((raw, top) => {
    if (!isRecord(raw)) {
      issue([top], "button", "格式不正确");
      return;
    }
    const subs = raw.sub_button;
    if (subs !== undefined && !Array.isArray(subs)) {
      issue([top], "sub_button", "子菜单格式不正确");
      return;
    }
    if (Array.isArray(subs) && subs.length > 0) {
      // A parent only opens its sub menu: WeChat ignores a type on it, so we drop it rather than store it.
      const name = checkName(raw.name, [top], MENU_LIMITS.topNameBytes, issue);
      if (subs.length > MENU_LIMITS.subButtons) issue([top], "sub_button", `子菜单最多 ${MENU_LIMITS.subButtons} 个（当前 ${subs.length} 个）`);
      const leaves = subs.slice(0, MENU_LIMITS.subButtons).map((sub, index) => checkLeaf(sub, [top, index], issue));
      menu.button.push({ name: name ?? "", sub_button: leaves.filter((leaf): leaf is MenuLeafButton => leaf !== null) });
    } else {
      const leaf = checkLeaf(raw, [top], issue);
      if (leaf) menu.button.push(leaf as MenuButton);
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, menu };
}

type Report = (at: number[], field: MenuIssue["field"], problem: string) => void;

function checkLeaf(raw: unknown, at: number[], issue: Report): MenuLeafButton | null {
  if (!isRecord(raw)) {
    issue(at, "button", "格式不正确");
    return null;
  }
  const name = checkName(raw.name, at, at.length === 1 ? MENU_LIMITS.topNameBytes : MENU_LIMITS.subNameBytes, issue);
  const type = raw.type;
  if (type === undefined || type === null || type === "") {
    issue(at, "type", at.length === 1 ? "请选择菜单类型，或添加子菜单" : "请选择菜单类型");
    return null;
  }
  if (typeof type !== "string" || !(EDITABLE_BUTTON_TYPES as readonly string[]).includes(type)) {
    issue(at, "type", `不支持的菜单类型「${String(type)}」，可选：${Object.values(TYPE_LABELS).join("、")}`);
    return null;
  }
  switch (type as EditableButtonType) {
    case "click": {
      const key = checkText(raw.key, at, "key", "菜单 KEY", MENU_LIMITS.keyBytes, issue);
      return name !== null && key !== null ? { type: "click", name, key } : null;
    }
    case "view": {
      const url = checkUrl(raw.url, at, "网页链接", issue);
      return name !== null && url !== null ? { type: "view", name, url } : null;
    }
    case "miniprogram": {
      let appid: string | null = null;
      if (typeof raw.appid !== "string" || raw.appid.trim() === "") issue(at, "appid", "请填写小程序 AppID");
      else if (!APPID.test(raw.appid.trim())) issue(at, "appid", "小程序 AppID 格式不正确（wx 开头，共 18 位）");
      else appid = raw.appid.trim();
      const pagepath = checkText(raw.pagepath, at, "pagepath", "小程序页面路径", MENU_LIMITS.pagePathBytes, issue);
      // Clients that cannot open mini programs open this page instead; WeChat requires it.
      const url = checkUrl(raw.url, at, "备用网页链接（不支持小程序的客户端打开）", issue);
      return name !== null && appid !== null && pagepath !== null && url !== null ? { type: "miniprogram", name, url, appid, pagepath } : null;
    }
  }
}

function checkName(raw: unknown, at: number[], maxBytes: number, issue: Report): string | null {
  if (typeof raw !== "string" || raw.trim() === "") {
    issue(at, "name", "请填写名称");
    return null;
  }
  const name = raw.trim();
  if (CONTROL.test(name)) {
    issue(at, "name", "名称不能包含换行或控制字符");
    return null;
  }
  const size = bytes(name);
  if (size > maxBytes) {
    issue(at, "name", `名称超过 ${maxBytes} 字节（当前 ${size} 字节，一个汉字占 3 字节）`);
    return null;
  }
  return name;
}

function checkText(raw: unknown, at: number[], field: "key" | "pagepath", label: string, maxBytes: number, issue: Report): string | null {
  if (typeof raw !== "string" || raw.trim() === "") {
    issue(at, field, `请填写${label}`);
    return null;
  }
  const value = raw.trim();
  if (CONTROL.test(value) || /\s/.test(value)) {
    issue(at, field, `${label}不能包含空格或控制字符`);
    return null;
  }
  const size = bytes(value);
  if (size > maxBytes) {
    issue(at, field, `${label}超过 ${maxBytes} 字节（当前 ${size} 字节）`);
    return null;
  }
  return value;
}

function checkUrl(raw: unknown, at: number[], label: string, issue: Report): string | null {
  if (typeof raw !== "string" || raw.trim() === "") {
    issue(at, "url", `请填写${label}`);
    return null;
  }
  const value = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    issue(at, "url", `${label}不是有效的网址`);
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    issue(at, "url", `${label}必须以 http:// 或 https:// 开头`);
    return null;
  }
  const size = bytes(value);
  if (size > MENU_LIMITS.urlBytes) {
    issue(at, "url", `${label}超过 ${MENU_LIMITS.urlBytes} 字节（当前 ${size} 字节）`);
    return null;
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
