import type { RouteRecordRaw } from "vue-router";

export const historyRoutes: RouteRecordRaw[] = [
  { path: "history", name: "history", component: () => import("./HistoryPage.vue"), meta: { title: "历史会话" } },
  { path: "history/:conversationId", name: "history-detail", component: () => import("./HistoryDetailPage.vue"), meta: { title: "会话详情" } },
];
