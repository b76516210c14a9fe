import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { conversationDetail, searchHistory } from "../../modules/conversations/queries";
import { historyQuerySchema } from "../../modules/conversations/schemas";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseInput } from "./authInput";

/** History: search conversations (agents: their own; supervisors and admins: all) and read one. */
export function createHistoryRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/history" });
  const asAgent = requireAgent(deps, "agent");

  router.get("/", asAgent, async (ctx) => {
    const query = parseInput(historyQuerySchema, ctx.query);
    ctx.body = await searchHistory(deps, ctx.state.actor, query);
  });

  router.get("/:id", asAgent, async (ctx) => {
    ctx.body = await conversationDetail(deps, ctx.state.actor, idParam(ctx.params.id, "会话不存在"));
  });

  return router;
}
