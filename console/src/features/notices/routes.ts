import type { RouteRecordRaw } from "vue-router";

/** 公告管理 (admins): the list, and one editor page for a new or an existing notice (with the repair timeline). */
export const noticeRoutes: RouteRecordRaw[] = [
  { path: "admin/notices", name: "admin-notices", component: () => import("./NoticesPage.vue"), meta: { title: "公告管理", minRole: "admin" } },
  { path: "admin/notices/new", name: "admin-notice-new", component: () => import("./NoticeEditPage.vue"), meta: { title: "新建公告", minRole: "admin" } },
  { path: "admin/notices/:id", name: "admin-notice-edit", component: () => import("./NoticeEditPage.vue"), props: true, meta: { title: "编辑公告", minRole: "admin" } },
];
