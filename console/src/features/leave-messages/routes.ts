import type { RouteRecordRaw } from "vue-router";

export const leaveMessageRoutes: RouteRecordRaw[] = [
  { path: "leave-messages", name: "leave-messages", component: () => import("./LeaveMessagesPage.vue"), meta: { title: "留言" } },
];
