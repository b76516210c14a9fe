import Router from "@koa/router";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { blacklistFan, listBlacklist, unblacklistFan } from "../../modules/customers/blacklist";
import { customerProfile, updateCustomer } from "../../modules/customers/profile";
import { notFound } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { paragraph, parseBody, words } from "./authInput";

const updateSchema = z
  .object({
    remark: z.string().trim().max(100, { message: "备注名最多 100 个字" }).nullable().optional(),
    tags: z.array(words("标签", 20)).max(20, { message: "最多 20 个标签" }).optional(),
    notes: paragraph("备注", 2000, { allowEmpty: true }).nullable().optional(),
  })
  .strict();

const blacklistSchema = z.object({ reason: words("拉黑原因", 200) });

function openidParam(value: string | undefined): string {
  if (!value || !/^[A-Za-z0-9_-]{6,64}$/.test(value)) throw notFound("粉丝不存在");
  return value;
}

/** The customer profile beside the chat (fan, remark/tags/notes, accounts, conversations, complaints, trail) and the blacklist. */
export function createCustomersRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console" });
  const asAgent = requireAgent(deps, "agent");

  router.get("/blacklist", asAgent, async (ctx) => {
    ctx.body = { fans: await listBlacklist(deps) };
  });

  router.get("/customers/:openid", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await customerProfile(deps, ctx.state.actor, openidParam(ctx.params.openid), ctx.ip || null);
  });

  router.patch("/customers/:openid", asAgent, async (ctx) => {
    const openid = openidParam(ctx.params.openid);
    ctx.body = { fan: await updateCustomer(deps, openid, await parseBody(ctx, updateSchema)) };
  });

  router.post("/customers/:openid/blacklist", asAgent, async (ctx) => {
    const openid = openidParam(ctx.params.openid);
    const { reason } = await parseBody(ctx, blacklistSchema);
    ctx.body = { fan: await blacklistFan(deps, ctx.state.actor, openid, reason) };
  });

  router.delete("/customers/:openid/blacklist", asAgent, async (ctx) => {
    ctx.body = { fan: await unblacklistFan(deps, ctx.state.actor, openidParam(ctx.params.openid)) };
  });

  return router;
}
