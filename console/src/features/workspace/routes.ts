import type { RouteRecordRaw } from "vue-router";

export const workspaceRoutes: RouteRecordRaw[] = [
  { path: "workspace/:conversationId?", name: "workspace", component: () => import("./WorkspacePage.vue"), meta: { title: "工作台" } },
];
