import type { NoticeKind, NoticeStatus, OutageType } from "./notice.entity";

/**
 * The notice rules that need no database: when a fan may see a notice, what state an admin sees it in,
 * where an outage stands, and China-time days and template times. Every function takes `now`.
 */

export const NOTICE_KINDS: readonly NoticeKind[] = ["outage", "quality", "pressure", "repair", "news"];
export const OUTAGE_TYPES: readonly OutageType[] = ["planned", "emergency"];

export const NOTICE_KIND_LABEL: Record<NoticeKind, string> = {
  outage: "停水通知",
  quality: "水质公告",
  pressure: "水压公告",
  repair: "抢修动态",
  news: "企业新闻",
};

export const OUTAGE_TYPE_LABEL: Record<OutageType, string> = { planned: "计划停水", emergency: "紧急停水" };

interface Windowed {
  status: NoticeStatus;
  publishFrom: Date | null;
  publishUntil: Date | null;
}

/** A fan sees a notice while it is published and publishFrom ≤ now < publishUntil (no until = open-ended). */
export function isVisible(notice: Windowed, now: Date): boolean {
  if (notice.status !== "published" || !notice.publishFrom) return false;
  if (notice.publishFrom.getTime() > now.getTime()) return false;
  return !notice.publishUntil || now.getTime() < notice.publishUntil.getTime();
}

/** What the admin list shows: 草稿, 待生效 (published, window not started), 已发布, 已过期, 已下线. */
export type NoticeDisplayState = "draft" | "scheduled" | "live" | "expired" | "unpublished";

export function displayState(notice: Windowed, now: Date): NoticeDisplayState {
  if (notice.status === "draft") return "draft";
  if (notice.status === "unpublished") return "unpublished";
  if (notice.publishUntil && notice.publishUntil.getTime() <= now.getTime()) return "expired";
  if (notice.publishFrom && notice.publishFrom.getTime() > now.getTime()) return "scheduled";
  return "live";
}

export type OutageState = "upcoming" | "ongoing" | "ended";

/** Where an interruption stands: before its start, between start and end, or after its end. */
export function outageState(startsAt: Date, endsAt: Date, now: Date): OutageState {
  if (now.getTime() < startsAt.getTime()) return "upcoming";
  return now.getTime() < endsAt.getTime() ? "ongoing" : "ended";
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** A calendar day in China time ("YYYY-MM-DD") as the instant range [start, end); null if not a real date. */
export function chinaDay(date: string): { start: Date; end: Date } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const utcMidnight = Date.UTC(year, month - 1, day);
  const check = new Date(utcMidnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  const start = new Date(utcMidnight - CHINA_OFFSET_MS);
  return { start, end: new Date(start.getTime() + 24 * 3600_000) };
}

