import type { RouteRecordRaw } from "vue-router";

export const monitorRoutes: RouteRecordRaw[] = [
  { path: "monitor", name: "monitor", component: () => import("./MonitorPage.vue"), meta: { title: "会话监控", minRole: "supervisor" } },
];
