import type { RouteRecordRaw } from "vue-router";

/** 投诉建议 — the complaint center: every staff member reads and works on tickets assigned to them; supervisors accept, assign and close. */
export const complaintRoutes: RouteRecordRaw[] = [
  { path: "complaints", name: "complaints", component: () => import("./ComplaintsPage.vue"), meta: { title: "投诉建议" } },
];
