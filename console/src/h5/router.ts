import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { waterRoutes } from "./pages/water/routes";
import { noticeRoutes } from "./pages/notices/routes";
import { guideRoutes } from "./pages/guides/routes";
import { payRoutes } from "./pages/pay/routes";
import { applicationRoutes } from "./pages/applications/routes";
import { complaintRoutes } from "./pages/complaints/routes";

declare module "vue-router" {
  interface RouteMeta {
    /** The page title (zh-CN), shown in the nav bar and the document title. */
    title?: string;
  }
}

/**
 * Hash history: /h5/ is one static page, and links in menus and template messages
 * (`PUBLIC_URL/h5/#/bills/<accountId>/<month>`) must survive WeChat's OAuth round trip unchanged.
 * Each service adds its routes here.
 */
const routes: RouteRecordRaw[] = [
  { path: "/", name: "home", component: () => import("./pages/HomePage.vue"), meta: { title: "智慧水务" } },
  ...waterRoutes,
  ...noticeRoutes,
  ...guideRoutes,
  ...payRoutes,
  ...applicationRoutes,
  ...complaintRoutes,
  { path: "/:pathMatch(.*)*", redirect: { name: "home" } },
];

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.afterEach((to) => {
  document.title = to.meta.title ?? "智慧水务";
});
