import Router from "@koa/router";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import { menuState, publishMenu, readCurrentMenu, readWelcome, saveDraft, updateWelcome, type MenusDeps } from "../../modules/menus/menus";
import { requireAgent, type ConsoleState } from "./auth";
import { paragraph, parseBody } from "./authInput";

/** WeChat's passive text reply holds 2048 bytes; 600 characters stay under it even in CJK. */
const WELCOME_MAX = 600;

// The menu itself is checked by validateMenu (precise, per item); here only the envelope.
const menuBody = z.object({ menu: z.unknown().refine((value) => value !== undefined, { message: "请提供菜单内容" }) });
const publishBody = z.object({ menu: z.unknown().optional() });
const welcomeBody = z.object({ text: paragraph("关注回复语", WELCOME_MAX, { allowEmpty: true }) });

/** Admin: the custom menu editor (draft, publish, WeChat's current menu) and the subscribe welcome text. docs/api/menus.md */
export function createMenusRouter(deps: MenusDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/menus" });
  const asAdmin = requireAgent(deps, "admin");

  router.get("/", asAdmin, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await menuState(deps);
  });

  router.put("/draft", asAdmin, async (ctx) => {
    const { menu } = await parseBody(ctx, menuBody);
    ctx.body = await saveDraft(deps, ctx.state.actor, menu);
  });

  router.post("/publish", asAdmin, async (ctx) => {
    const { menu } = await parseBody(ctx, publishBody);
    ctx.status = 202;
    ctx.body = await publishMenu(deps, ctx.state.actor, menu);
  });

  router.get("/current", asAdmin, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await readCurrentMenu(deps);
  });

  router.get("/welcome", asAdmin, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await readWelcome(deps);
  });

  router.put("/welcome", asAdmin, async (ctx) => {
    const { text } = await parseBody(ctx, welcomeBody);
    ctx.body = await updateWelcome(deps, ctx.state.actor, text.trim());
  });

  return router;
}
