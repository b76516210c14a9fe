import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import type { AgentRole } from "../api/types";
import { useSessionStore } from "../stores/session";
import { loginRoutes } from "../features/login/routes";
import { workspaceRoutes } from "../features/workspace/routes";
import { leaveMessageRoutes } from "../features/leave-messages/routes";
import { historyRoutes } from "../features/history/routes";
import { quickReplyRoutes } from "../features/quick-replies/routes";
import { mySettingsRoutes } from "../features/my-settings/routes";
import { internalChatRoutes } from "../features/internal-chat/routes";
import { monitorRoutes } from "../features/monitor/routes";
import { adminRoutes } from "../features/admin/routes";
import { menuRoutes } from "../features/menus/routes";
import { guideRoutes } from "../features/guides/routes";
import { auditRoutes } from "../features/audit/routes";
import { noticeRoutes } from "../features/notices/routes";
import { paymentRoutes } from "../features/payments/routes";
import { applicationRoutes } from "../features/applications/routes";
import { complaintRoutes } from "../features/complaints/routes";

declare module "vue-router" {
  interface RouteMeta {
    /** The page title (zh-CN), also the nav label. */
    title?: string;
    /** Lowest role that may open the page; default agent. */
    minRole?: AgentRole;
    /** Pages reachable without a session (the login page). */
    guest?: boolean;
  }
}

/**
 * Hash history: the server serves console/dist as static files under /console/ without an index.html
 * fallback, so /console/#/history survives a reload where /console/history would 404.
 */
const routes: RouteRecordRaw[] = [
  ...loginRoutes,
  {
    path: "/",
    component: () => import("../layouts/ConsoleLayout.vue"),
    redirect: { name: "workspace" },
    children: [
      ...workspaceRoutes,
      ...leaveMessageRoutes,
      ...historyRoutes,
      ...quickReplyRoutes,
      ...mySettingsRoutes,
      ...internalChatRoutes,
      ...monitorRoutes,
      ...adminRoutes,
      ...menuRoutes,
      ...guideRoutes,
      ...auditRoutes,
      ...noticeRoutes,
      ...paymentRoutes,
      ...applicationRoutes,
      ...complaintRoutes,
    ],
  },
  { path: "/:pathMatch(.*)*", redirect: { name: "workspace" } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSessionStore();
  await session.probe();
  if (to.meta.guest) {
    return session.me && to.name === "login" ? { name: "workspace" } : true;
  }
  if (!session.me) return { name: "login", query: to.fullPath !== "/" ? { redirect: to.fullPath } : {} };
  if (to.meta.minRole && !session.hasRole(to.meta.minRole)) return { name: "workspace" };
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 水务客服工作台` : "水务客服工作台";
});
