/**
 * The custom menu in WeChat's own JSON shape (POST /cgi-bin/menu/create, reference §8). Kept in wire
 * names because menus are authored and stored as that JSON; limits are in UTF-8 bytes (CJK = 3).
 */

/** Buttons that report a tap to our callback as an event carrying `key`. */
export type MenuEventButtonType =
  | "click"
  | "scancode_push"
  | "scancode_waitmsg"
  | "pic_sysphoto"
  | "pic_photo_or_album"
  | "pic_weixin"
  | "location_select";

export type MenuLeafButton =
  | { type: MenuEventButtonType; name: string; key: string }
  | { type: "view"; name: string; url: string }
  /** `url` is opened by clients that cannot run mini programs. */
  | { type: "miniprogram"; name: string; url: string; appid: string; pagepath: string }
  | { type: "media_id" | "view_limited"; name: string; media_id: string }
  | { type: "article_id" | "article_view_limited"; name: string; article_id: string };

/** A top-level button that opens 1–5 sub buttons; it has no type of its own. */
export interface MenuParentButton {
  name: string;
  sub_button: MenuLeafButton[];
}

export type MenuButton = MenuLeafButton | MenuParentButton;

export interface Menu {
  /** 1–3 top-level buttons. */
  button: MenuButton[];
}

export const MENU_BUTTON_TYPES: ReadonlySet<string> = new Set<MenuLeafButton["type"]>([
  "click",
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
  "view",
  "miniprogram",
  "media_id",
  "view_limited",
  "article_id",
  "article_view_limited",
]);
