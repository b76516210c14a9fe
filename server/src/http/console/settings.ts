import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { conversationSettingsSchema } from "../../modules/conversations/schemas";
import { readConversationSettings, updateConversationSettings } from "../../modules/conversations/settingsAdmin";
import { requireAgent, type ConsoleState } from "./auth";
import { parseBody } from "./authInput";

/** Admin: the conversation settings (service hours, automatic texts, timers, fallback template). */
export function createSettingsRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/settings" });
  const asAdmin = requireAgent(deps, "admin");

  router.get("/conversation", asAdmin, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await readConversationSettings(deps.settings);
  });

  router.put("/conversation", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, conversationSettingsSchema);
    ctx.body = await updateConversationSettings(deps.settings, input);
  });

  return router;
}
