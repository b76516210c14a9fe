import type { RouteRecordRaw } from "vue-router";

/** 支付管理: supervisors read, admins also refund and reconcile. */
export const paymentRoutes: RouteRecordRaw[] = [{ path: "payments", name: "payments", component: () => import("./PaymentsPage.vue"), meta: { title: "支付管理", minRole: "supervisor" } }];
