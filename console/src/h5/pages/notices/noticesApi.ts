import type { NoticeKind, OutageType } from "../../../api/noticeLabels";
import { fanGet } from "../../api";

/** Shapes of the public fan notices API (docs/api/notices.md). Times are ISO instants. */

export { NOTICE_KIND_LABEL, OUTAGE_TYPE_LABEL, type NoticeKind, type OutageType } from "../../../api/noticeLabels";
export type OutageState = "upcoming" | "ongoing" | "ended";

export const OUTAGE_STATE_LABEL: Record<OutageState, string> = { upcoming: "即将停水", ongoing: "停水中", ended: "已恢复" };

export interface NoticeSummary {
  id: string;
  kind: NoticeKind;
  outageType: OutageType | null;
  title: string;
  excerpt: string;
  areas: string[];
  startsAt: string | null;
  endsAt: string | null;
  outageState: OutageState | null;
  publishedAt: string;
  updatedAt: string;
}

export interface NoticeEntry {
  id: string;
  kind: "text" | "image" | "video";
  text: string | null;
  mediaUrl: string | null;
  happenedAt: string;
}

export interface NoticeDetail extends NoticeSummary {
  content: string;
  /** Newest first. */
  entries: NoticeEntry[];
}

export interface NoticePage {
  notices: NoticeSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export const noticesApi = {
  list: (query: { kind?: NoticeKind; page: number; pageSize?: number }) => fanGet<NoticePage>("/notices", { pageSize: 20, ...query }),
  outages: (query: { date?: string; area?: string; page: number; pageSize?: number }) => fanGet<NoticePage>("/notices/outages", { pageSize: 20, ...query }),
  areas: async () => (await fanGet<{ areas: string[] }>("/notices/areas")).areas,
  detail: async (id: string) => (await fanGet<{ notice: NoticeDetail }>(`/notices/${encodeURIComponent(id)}`)).notice,
};

const pad = (n: number) => String(n).padStart(2, "0");

/** "11月24日 08:30" (this year) or "2025年11月24日 08:30", in the phone's time zone (China for our fans). */
export function noticeTime(value: string | null, now = new Date()): string {
  if (!value) return "";
  const date = new Date(value);
  const time = `${date.getMonth() + 1}月${date.getDate()}日 ${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return date.getFullYear() === now.getFullYear() ? time : `${date.getFullYear()}年${time}`;
}

/** "11月24日 08:00 至 18:00" when on the same day, else both full. */
export function timeRange(start: string | null, end: string | null): string {
  if (!start || !end) return "";
  const a = new Date(start);
  const b = new Date(end);
  const sameDay = a.toDateString() === b.toDateString();
  return `${noticeTime(start)} 至 ${sameDay ? `${pad(b.getHours())}:${pad(b.getMinutes())}` : noticeTime(end)}`;
}

/** Today in the phone's zone, "YYYY-MM-DD". */
export function todayString(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
