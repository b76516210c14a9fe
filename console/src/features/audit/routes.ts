import type { RouteRecordRaw } from "vue-router";

export const auditRoutes: RouteRecordRaw[] = [
  { path: "admin/audit", name: "admin-audit", component: () => import("./AuditLogPage.vue"), meta: { title: "审计日志", minRole: "admin" } },
];
