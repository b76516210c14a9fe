/**
 * Notice kinds and their zh-CN names, shared by the console and the fan H5 pages. Kept apart from
 * notices.ts so the H5 bundle takes these without the console's API client.
 */
export type NoticeKind = "outage" | "quality" | "pressure" | "repair" | "news";
export type OutageType = "planned" | "emergency";

export const NOTICE_KIND_LABEL: Record<NoticeKind, string> = {
  outage: "停水通知",
  quality: "水质公告",
  pressure: "水压公告",
  repair: "抢修动态",
  news: "企业新闻",
};
export const OUTAGE_TYPE_LABEL: Record<OutageType, string> = { planned: "计划停水", emergency: "紧急停水" };
