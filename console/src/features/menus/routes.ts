import type { RouteRecordRaw } from "vue-router";

export const menuRoutes: RouteRecordRaw[] = [
  { path: "admin/menus", name: "admin-menus", component: () => import("./MenusPage.vue"), meta: { title: "自定义菜单", minRole: "admin" } },
];
