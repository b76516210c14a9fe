import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import { closeConversation, requestRating } from "../../modules/conversations/closing";
import { acceptConversation, dispatchConversation, takeOverConversation, transferConversation } from "../../modules/conversations/commands";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { agentLoads, conversationDetail, listMyConversations, listWaiting, liveOverview, markConversationRead } from "../../modules/conversations/queries";
import { sendAgentMessage, sendTemplateFallback } from "../../modules/conversations/replies";
import { agentMessageSchema, closeSchema, dispatchSchema, templateSchema, transferSchema } from "../../modules/conversations/schemas";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody } from "./authInput";

const NOT_FOUND = "会话不存在";

/**
 * The agent's workspace: my conversations, the waiting queue, one conversation with its transcript, and
 * the commands (accept, transfer, dispatch, take over, close, rating request, reply, template). Every
 * route: authenticate → role → validate → command → present.
 */
export function createConversationsRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/conversations" });
  const asAgent = requireAgent(deps, "agent");
  const asSupervisor = requireAgent(deps, "supervisor");

  router.get("/", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { conversations: await listMyConversations(deps, ctx.state.actor), serverTime: deps.clock.now().toISOString() };
  });

  router.get("/waiting", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { conversations: await listWaiting(deps), serverTime: deps.clock.now().toISOString() };
  });

  router.get("/live", asSupervisor, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { ...(await liveOverview(deps)), serverTime: deps.clock.now().toISOString() };
  });

  router.get("/transfer-targets", asAgent, async (ctx) => {
    ctx.body = { agents: await agentLoads(deps, ctx.state.actor.id, true) };
  });

  router.get("/:id", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { ...(await conversationDetail(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND))), serverTime: deps.clock.now().toISOString() };
  });

  router.post("/:id/accept", asAgent, async (ctx) => {
    ctx.body = { conversation: await acceptConversation(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND)) };
  });

  router.post("/:id/read", asAgent, async (ctx) => {
    await markConversationRead(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND));
    ctx.status = 204;
  });

  router.post("/:id/transfer", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const input = await parseBody(ctx, transferSchema);
    ctx.body = { conversation: await transferConversation(deps, ctx.state.actor, id, input) };
  });

  router.post("/:id/dispatch", asSupervisor, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const { toAgentId } = await parseBody(ctx, dispatchSchema);
    ctx.body = { conversation: await dispatchConversation(deps, ctx.state.actor, id, toAgentId) };
  });

  router.post("/:id/take-over", asAgent, async (ctx) => {
    ctx.body = { conversation: await takeOverConversation(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND)) };
  });

  router.post("/:id/close", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const input = await parseBody(ctx, closeSchema);
    ctx.body = { conversation: await closeConversation(deps, ctx.state.actor, id, input) };
  });

  router.post("/:id/rating-request", asAgent, async (ctx) => {
    ctx.body = { conversation: await requestRating(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND)) };
  });

  router.post("/:id/messages", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const input = await parseBody(ctx, agentMessageSchema);
    ctx.status = 201;
    ctx.body = { message: await sendAgentMessage(deps, ctx.state.actor, id, input) };
  });

  router.post("/:id/template", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const input = await parseBody(ctx, templateSchema);
    ctx.status = 201;
    ctx.body = { message: await sendTemplateFallback(deps, ctx.state.actor, id, input) };
  });

  return router;
}
