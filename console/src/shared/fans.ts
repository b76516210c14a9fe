import type { FanBrief } from "../api/types";

/** How agents name a fan: their remark first, then the WeChat nickname, then a short openid. */
export function fanName(fan: Pick<FanBrief, "openid" | "nickname" | "remark"> | null | undefined): string {
  if (!fan) return "粉丝";
  return fan.remark || fan.nickname || `粉丝 ${fan.openid.slice(-6)}`;
}

/** The first character for the avatar circle. */
export function fanInitial(fan: Pick<FanBrief, "openid" | "nickname" | "remark"> | null | undefined): string {
  return [...fanName(fan)][0] ?? "粉";
}
