import type { RouteRecordRaw } from "vue-router";

export const guideRoutes: RouteRecordRaw[] = [
  { path: "admin/guides", name: "admin-guides", component: () => import("./GuidesPage.vue"), meta: { title: "办事指南", minRole: "admin" } },
];
