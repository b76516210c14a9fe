import type { RouteRecordRaw } from "vue-router";

/** 业务申请: every staff member reads (agents answer fans in chat); supervisors and admins handle. */
export const applicationRoutes: RouteRecordRaw[] = [
  { path: "applications", name: "applications", component: () => import("./ApplicationsPage.vue"), meta: { title: "业务申请" } },
];
