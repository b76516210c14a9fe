import type { RouteRecordRaw } from "vue-router";

/** Paying bills, top-ups and application fees, and the payment history (menus and the bill page link here). */
export const payRoutes: RouteRecordRaw[] = [
  { path: "/pay", name: "pay", component: () => import("./PayHomePage.vue"), meta: { title: "在线缴费" } },
  { path: "/pay/bill/:accountId/:month", name: "pay-bill", component: () => import("./PayBillPage.vue"), meta: { title: "缴纳水费" } },
  { path: "/pay/topup/:accountId", name: "pay-topup", component: () => import("./TopupPage.vue"), meta: { title: "预存水费" } },
  { path: "/pay/application/:id", name: "pay-application", component: () => import("./ApplicationFeePage.vue"), meta: { title: "缴纳费用" } },
  { path: "/pay/result/:orderId", name: "pay-result", component: () => import("./PayResultPage.vue"), meta: { title: "支付结果" } },
  { path: "/payments", name: "payments", component: () => import("./PaymentsPage.vue"), meta: { title: "缴费记录" } },
];
