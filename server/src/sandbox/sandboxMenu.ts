import { badRequest, conflict } from "../http/errors";
import type { FakeWechatState } from "./fakeWechatState";

/**
 * The custom menu as the fan's phone shows it: exactly what was last published to the fake WeChat
 * (POST /cgi-bin/menu/create), so the simulator never shows a draft the product has not published.
 */

export interface MenuButtonView {
  name: string;
  /** Absent on a parent that opens sub buttons. */
  type?: string;
  subButtons: { name: string; type: string }[];
}

export interface MenuView {
  menuId: number;
  buttons: MenuButtonView[];
}

/** A leaf the fan tapped, with the fields its event needs. */
export type TappedButton =
  | { type: "click"; name: string; key: string }
  | { type: "view"; name: string; url: string }
  | { type: "miniprogram"; name: string; pagePath: string };

export function currentMenu(fake: FakeWechatState): MenuView | null {
  const menu = fake.menu;
  if (!menu) return null;
  return {
    menuId: Number(menu.menuid ?? 0),
    buttons: buttonsOf(menu).map((button) => {
      const subButtons = buttonsOf(button, "sub_button");
      return subButtons.length > 0
        ? { name: str(button.name), subButtons: subButtons.map((sub) => ({ name: str(sub.name), type: str(sub.type) })) }
        : { name: str(button.name), type: str(button.type), subButtons: [] };
    }),
  };
}

/**
 * The leaf at top[/sub] of the current menu. `name` is what the page showed: if the menu was republished
 * since, the position may now hold another button, and tapping that instead would surprise the fan.
 */
export function tapMenuButton(fake: FakeWechatState, tap: { top: number; sub?: number; name: string }): TappedButton {
  const menu = fake.menu;
  if (!menu) throw conflict("menu_not_published", "公众号还没有发布自定义菜单");
  const top = buttonsOf(menu)[tap.top];
  const subButtons = top ? buttonsOf(top, "sub_button") : [];
  const leaf = subButtons.length > 0 ? (tap.sub === undefined ? undefined : subButtons[tap.sub]) : tap.sub === undefined ? top : undefined;
  if (!leaf || str(leaf.name) !== tap.name) throw conflict("menu_changed", "菜单已更新，请刷新页面后再点");
  const name = str(leaf.name);
  switch (leaf.type) {
    case "click":
      return { type: "click", name, key: str(leaf.key) };
    case "view":
      return { type: "view", name, url: str(leaf.url) };
    case "miniprogram":
      return { type: "miniprogram", name, pagePath: str(leaf.pagepath) };
    default:
      throw badRequest("menu_button_unsupported", `沙箱暂不支持「${str(leaf.type)}」类型的菜单项，请直接用输入框或“+”发送`);
  }
}

const OAUTH_HOST = "open.weixin.qq.com";
const OAUTH_PATH = "/connect/oauth2/authorize";

/**
 * Where a VIEW tap takes the fan. WeChat answers an OAuth authorize link for this account by redirecting
 * to redirect_uri with a one-time code for the fan; the simulator does the same through the fake, so H5
 * pages can log the fan in. Any other link opens as it is.
 */
export function viewDestination(fake: FakeWechatState, openid: string, link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link;
  }
  if (url.hostname !== OAUTH_HOST || url.pathname !== OAUTH_PATH || url.searchParams.get("appid") !== fake.appId) return link;
  const redirect = url.searchParams.get("redirect_uri");
  if (!redirect) return link;
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return link;
  }
  const scope = url.searchParams.get("scope") === "snsapi_userinfo" ? "snsapi_userinfo" : "snsapi_base";
  target.searchParams.set("code", fake.issueOAuthCode(openid, { scope }));
  target.searchParams.set("state", url.searchParams.get("state") ?? "");
  return target.toString();
}

function buttonsOf(parent: Record<string, unknown>, field = "button"): Record<string, unknown>[] {
  const buttons = parent[field];
  return Array.isArray(buttons) ? buttons.filter((b): b is Record<string, unknown> => typeof b === "object" && b !== null) : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
