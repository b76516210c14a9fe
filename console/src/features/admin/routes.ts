import type { RouteRecordRaw } from "vue-router";

export const adminRoutes: RouteRecordRaw[] = [
  { path: "admin/agents", name: "admin-agents", component: () => import("./AgentsPage.vue"), meta: { title: "客服管理", minRole: "admin" } },
  { path: "admin/settings", name: "admin-settings", component: () => import("./SystemSettingsPage.vue"), meta: { title: "系统设置", minRole: "admin" } },
  { path: "admin/keywords", name: "admin-keywords", component: () => import("./KeywordRulesPage.vue"), meta: { title: "关键词回复", minRole: "admin" } },
];
