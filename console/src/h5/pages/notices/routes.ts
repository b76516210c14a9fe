import type { RouteRecordRaw } from "vue-router";

/**
 * Notices (public: no fan session needed). Menu links: 停水通知 → /h5/#/notices?kind=outage, 水质公告 →
 * ?kind=quality, 企业动态 → ?kind=news, 停水查询 → /h5/#/notices/outages; template messages link to
 * /h5/#/notices/<id>.
 */
export const noticeRoutes: RouteRecordRaw[] = [
  { path: "/notices", name: "notices", component: () => import("./NoticesPage.vue"), meta: { title: "水务资讯" } },
  { path: "/notices/outages", name: "outage-search", component: () => import("./OutageSearchPage.vue"), meta: { title: "停水查询" } },
  { path: "/notices/:id", name: "notice-detail", component: () => import("./NoticeDetailPage.vue"), meta: { title: "公告详情" } },
];
