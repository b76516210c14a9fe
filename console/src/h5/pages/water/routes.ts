import type { RouteRecordRaw } from "vue-router";

/** Binding, bills and the bill subscription (links in menus and template messages point here). */
export const waterRoutes: RouteRecordRaw[] = [
  { path: "/bind", name: "bind", component: () => import("./BindPage.vue"), meta: { title: "用户绑定" } },
  { path: "/bills", name: "bills", component: () => import("./BillsPage.vue"), meta: { title: "水费查询" } },
  { path: "/bills/:accountId", name: "account-bills", component: () => import("./BillsPage.vue"), meta: { title: "水费查询" } },
  { path: "/bills/:accountId/:month", name: "bill-detail", component: () => import("./BillDetailPage.vue"), meta: { title: "账单详情" } },
  { path: "/subscribe", name: "subscribe", component: () => import("./SubscribePage.vue"), meta: { title: "账单订阅" } },
];
