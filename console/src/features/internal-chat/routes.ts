import type { RouteRecordRaw } from "vue-router";

export const internalChatRoutes: RouteRecordRaw[] = [
  { path: "internal/:agentId?", name: "internal", component: () => import("./InternalChatPage.vue"), meta: { title: "内部沟通" } },
];
