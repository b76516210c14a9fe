import type { RouteRecordRaw } from "vue-router";

/** Guides, fee standards and outlets (the 用水指南 menu links here). */
export const guideRoutes: RouteRecordRaw[] = [
  { path: "/guides", name: "guides", component: () => import("./GuidesPage.vue"), meta: { title: "业务流程" } },
  { path: "/guides/:id", name: "guide-detail", component: () => import("./GuideDetailPage.vue"), meta: { title: "办事指南" } },
  { path: "/fees", name: "fees", component: () => import("./FeesPage.vue"), meta: { title: "收费标准" } },
  { path: "/outlets", name: "outlets", component: () => import("./OutletsPage.vue"), meta: { title: "营业网点" } },
];
