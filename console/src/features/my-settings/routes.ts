import type { RouteRecordRaw } from "vue-router";

export const mySettingsRoutes: RouteRecordRaw[] = [
  { path: "my-settings", name: "my-settings", component: () => import("./MySettingsPage.vue"), meta: { title: "个人设置" } },
];
