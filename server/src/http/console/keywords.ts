import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { createKeywordRule, deleteKeywordRule, listKeywordRules, moveKeywordRule, updateKeywordRule } from "../../modules/conversations/keywordRules";
import { keywordRulePatchSchema, keywordRuleSchema, moveSchema } from "../../modules/conversations/schemas";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody } from "./authInput";

const NOT_FOUND = "关键词规则不存在";

/** Admin: keyword → reply rules, answered before the queue in their order. */
export function createKeywordsRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/keywords" });
  const asAdmin = requireAgent(deps, "admin");

  router.get("/", asAdmin, async (ctx) => {
    ctx.body = { rules: await listKeywordRules(deps) };
  });

  router.post("/", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, keywordRuleSchema);
    ctx.status = 201;
    ctx.body = { rule: await createKeywordRule(deps, input) };
  });

  router.patch("/:id", asAdmin, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    ctx.body = { rule: await updateKeywordRule(deps, id, await parseBody(ctx, keywordRulePatchSchema)) };
  });

  router.delete("/:id", asAdmin, async (ctx) => {
    await deleteKeywordRule(deps, idParam(ctx.params.id, NOT_FOUND));
    ctx.status = 204;
  });

  router.post("/:id/move", asAdmin, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const { to } = await parseBody(ctx, moveSchema);
    ctx.body = { rules: await moveKeywordRule(deps, id, to) };
  });

  return router;
}
