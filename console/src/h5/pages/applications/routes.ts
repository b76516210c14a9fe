import type { RouteRecordRaw } from "vue-router";

/** 用水申请: my applications, the form, one application's progress (links in template messages point here). */
export const applicationRoutes: RouteRecordRaw[] = [
  { path: "/applications", name: "applications", component: () => import("./ApplicationsPage.vue"), meta: { title: "用水申请" } },
  { path: "/applications/new", name: "application-new", component: () => import("./ApplicationFormPage.vue"), meta: { title: "在线申请" } },
  { path: "/applications/:id", name: "application-detail", component: () => import("./ApplicationDetailPage.vue"), meta: { title: "申请进度" } },
];
