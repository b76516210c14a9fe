import type { RouteRecordRaw } from "vue-router";

/** 投诉建议: my tickets, the form (the chat's COMPLAINT link opens it), one ticket with its progress and rating. */
export const complaintRoutes: RouteRecordRaw[] = [
  { path: "/complaints", name: "complaints", component: () => import("./ComplaintsPage.vue"), meta: { title: "投诉建议" } },
  { path: "/complaints/new", name: "complaint-new", component: () => import("./ComplaintFormPage.vue"), meta: { title: "我要投诉/建议" } },
  { path: "/complaints/:id", name: "complaint-detail", component: () => import("./ComplaintDetailPage.vue"), meta: { title: "处理进度" } },
];
