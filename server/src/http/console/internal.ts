import Router from "@koa/router";
import type { DataSource } from "typeorm";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import { MAX_PAGE, type InternalChat } from "../../modules/internal-chat/internalChat";
import { requireAgent, type ConsoleState } from "./auth";
import { paragraph, parseBody, parseInput } from "./authInput";

const agentId = (label: string) => z.string({ message: `请指定${label}` }).uuid({ message: `${label}不存在` });

const messagesQuerySchema = z.object({
  with: agentId("同事"),
  before: z.string().uuid({ message: "before 必须是消息 id" }).optional(),
  limit: z.coerce
    .number({ message: "limit 必须是数字" })
    .int({ message: "limit 必须是整数" })
    .min(1, { message: "limit 至少为 1" })
    .max(MAX_PAGE, { message: `limit 最多 ${MAX_PAGE}` })
    .default(50),
});

const sendSchema = z.strictObject(
  { to: agentId("收信的同事"), content: paragraph("消息内容", 2000) },
  { error: (issue) => (issue.code === "unrecognized_keys" ? "请求中有不认识的字段" : "请求体必须是 JSON 对象") },
);

const readSchema = z.object({ with: agentId("同事") }, { error: "请求体必须是 JSON 对象" });

/** 内部沟通: colleagues with unread counts, a pair's messages, send, mark read. Any signed-in agent. */
export function createInternalRouter(deps: { dataSource: DataSource; sessions: SessionStore; chat: InternalChat }): Router<ConsoleState> {
  const { chat } = deps;
  const router = new Router<ConsoleState>({ prefix: "/api/console/internal" });
  const signedIn = requireAgent(deps, "agent");

  router.get("/colleagues", signedIn, async (ctx) => {
    ctx.body = { colleagues: await chat.colleagues(ctx.state.actor.id) };
  });

  router.get("/messages", signedIn, async (ctx) => {
    const query = parseInput(messagesQuerySchema, ctx.query);
    ctx.body = await chat.messages(ctx.state.actor.id, query.with, { before: query.before, limit: query.limit });
  });

  router.post("/messages", signedIn, async (ctx) => {
    const { to, content } = await parseBody(ctx, sendSchema);
    ctx.status = 201;
    ctx.body = { message: await chat.send(ctx.state.actor.id, to, content) };
  });

  router.post("/messages/read", signedIn, async (ctx) => {
    const { with: withId } = await parseBody(ctx, readSchema);
    ctx.body = { updated: await chat.markRead(ctx.state.actor.id, withId) };
  });

  return router;
}
