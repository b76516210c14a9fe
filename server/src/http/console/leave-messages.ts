import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { leaveListQuerySchema, leaveReadSchema, leaveReplySchema } from "../../modules/conversations/schemas";
import {
  handleLeaveMessage,
  listLeaveMessages,
  loadLeaveMessageView,
  markLeaveMessagesRead,
  replyToLeaveMessage,
  unreadLeaveCount,
} from "../../modules/customers/leaveMessages";
import { notFound } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody, parseInput } from "./authInput";

const NOT_FOUND = "留言不存在";

/** Leave-messages (留言): list with the unread count, mark read, reply within the window, mark handled. */
export function createLeaveMessagesRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/leave-messages" });
  const asAgent = requireAgent(deps, "agent");

  router.get("/", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await listLeaveMessages(deps, parseInput(leaveListQuerySchema, ctx.query));
  });

  router.get("/unread-count", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { unreadCount: await unreadLeaveCount(deps.dataSource.manager) };
  });

  router.post("/read", asAgent, async (ctx) => {
    const { ids } = await parseBody(ctx, leaveReadSchema);
    ctx.body = await markLeaveMessagesRead(deps, ids ?? null);
  });

  router.get("/:id", asAgent, async (ctx) => {
    const view = await loadLeaveMessageView(deps.dataSource.manager, idParam(ctx.params.id, NOT_FOUND), deps.clock.now());
    if (!view) throw notFound(NOT_FOUND);
    ctx.body = { leaveMessage: view };
  });

  router.post("/:id/read", asAgent, async (ctx) => {
    ctx.body = await markLeaveMessagesRead(deps, [idParam(ctx.params.id, NOT_FOUND)]);
  });

  router.post("/:id/reply", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const { content } = await parseBody(ctx, leaveReplySchema);
    ctx.status = 201;
    ctx.body = { leaveMessage: await replyToLeaveMessage(deps, ctx.state.actor, id, content) };
  });

  router.post("/:id/handle", asAgent, async (ctx) => {
    ctx.body = { leaveMessage: await handleLeaveMessage(deps, ctx.state.actor, idParam(ctx.params.id, NOT_FOUND)) };
  });

  return router;
}
