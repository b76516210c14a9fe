import type { RouteRecordRaw } from "vue-router";

export const quickReplyRoutes: RouteRecordRaw[] = [
  { path: "quick-replies", name: "quick-replies", component: () => import("./QuickRepliesPage.vue"), meta: { title: "快捷回复" } },
];
