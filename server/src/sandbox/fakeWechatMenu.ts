import { MENU_BUTTON_TYPES } from "../wechat/api/menu";

/**
 * The fake's check of POST /cgi-bin/menu/create against WeChat's documented limits (reference §8):
 * 1–3 top buttons, 1–5 sub buttons, names ≤16 bytes (top) / ≤60 bytes (sub), key ≤128 bytes,
 * url ≤1024 bytes, all counted in UTF-8 bytes. Returns WeChat's errcode, or 0 when the menu is valid.
 */

const TOP_NAME_MAX_BYTES = 16;
const SUB_NAME_MAX_BYTES = 60;
const KEY_MAX_BYTES = 128;
const URL_MAX_BYTES = 1024;

/** Errcodes per button level: WeChat reports the same fault with a different code for sub buttons. */
const CODES = {
  top: { type: 40017, name: 40018, key: 40019, url: 40020 },
  sub: { type: 40024, name: 40025, key: 40026, url: 40027 },
} as const;

const KEYED_TYPES = new Set([
  "click",
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
]);

export function validateMenu(menu: unknown): number {
  const buttons = isRecord(menu) ? menu.button : undefined;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 40016;
  for (const button of buttons) {
    if (!isRecord(button)) return 40017;
    const subButtons = button.sub_button;
    if (Array.isArray(subButtons) && subButtons.length > 0) {
      // A parent only opens its sub menu: its own name counts, it has no type.
      if (!fits(button.name, TOP_NAME_MAX_BYTES)) return CODES.top.name;
      if (subButtons.length > 5) return 40023;
      for (const sub of subButtons) {
        const code = validateLeaf(sub, "sub");
        if (code) return code;
      }
    } else {
      const code = validateLeaf(button, "top");
      if (code) return code;
    }
  }
  return 0;
}

function validateLeaf(button: unknown, level: "top" | "sub"): number {
  const codes = CODES[level];
  if (!isRecord(button) || typeof button.type !== "string" || !MENU_BUTTON_TYPES.has(button.type)) return codes.type;
  if (!fits(button.name, level === "top" ? TOP_NAME_MAX_BYTES : SUB_NAME_MAX_BYTES)) return codes.name;
  if (KEYED_TYPES.has(button.type) && !fits(button.key, KEY_MAX_BYTES)) return codes.key;
  if ((button.type === "view" || button.type === "miniprogram") && !fits(button.url, URL_MAX_BYTES)) return codes.url;
  if (button.type === "miniprogram" && (!fits(button.appid, 64) || !fits(button.pagepath, 1024))) return 40097;
  if ((button.type === "media_id" || button.type === "view_limited") && !fits(button.media_id, 128)) return 40007;
  if ((button.type === "article_id" || button.type === "article_view_limited") && !fits(button.article_id, 128)) return 40097;
  return 0;
}

/** A non-empty string of at most `maxBytes` UTF-8 bytes. */
function fits(value: unknown, maxBytes: number): boolean {
  return typeof value === "string" && value.length > 0 && Buffer.byteLength(value, "utf8") <= maxBytes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
