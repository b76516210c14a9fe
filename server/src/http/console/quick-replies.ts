import Router from "@koa/router";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { moveSchema } from "../../modules/conversations/schemas";
import {
  createCategory,
  createReply,
  deleteCategory,
  deleteReply,
  listQuickReplies,
  moveCategory,
  moveReply,
  renameCategory,
  updateReply,
} from "../../modules/quick-replies/quickReplies";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, paragraph, parseBody, words } from "./authInput";

const categorySchema = z.object({ scope: z.enum(["personal", "team"], { message: "范围必须是 personal（个人）或 team（团队）" }), name: words("分类名称", 50) });
const renameSchema = z.object({ name: words("分类名称", 50) });
const replySchema = z.object({
  categoryId: z.string({ message: "请选择分类" }).regex(/^[0-9a-f-]{36}$/, { message: "分类不正确" }),
  title: z.string().trim().max(50, { message: "标题最多 50 个字" }).nullable().optional(),
  content: paragraph("回复内容", 2000),
});
const replyPatchSchema = replySchema.partial();

/** Quick replies: personal and team categories with ordering and search (team ones edited by supervisors and admins). */
export function createQuickRepliesRouter(deps: ConversationDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/quick-replies" });
  const asAgent = requireAgent(deps, "agent");

  router.get("/", asAgent, async (ctx) => {
    const q = typeof ctx.query.q === "string" ? ctx.query.q.slice(0, 100) : undefined;
    ctx.body = await listQuickReplies(deps, ctx.state.actor, q);
  });

  router.post("/categories", asAgent, async (ctx) => {
    const input = await parseBody(ctx, categorySchema);
    ctx.status = 201;
    ctx.body = { category: await createCategory(deps, ctx.state.actor, input) };
  });

  router.patch("/categories/:id", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, "分类不存在");
    const { name } = await parseBody(ctx, renameSchema);
    ctx.body = { category: await renameCategory(deps, ctx.state.actor, id, name) };
  });

  router.delete("/categories/:id", asAgent, async (ctx) => {
    await deleteCategory(deps, ctx.state.actor, idParam(ctx.params.id, "分类不存在"));
    ctx.status = 204;
  });

  router.post("/categories/:id/move", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, "分类不存在");
    const { to } = await parseBody(ctx, moveSchema);
    ctx.body = await moveCategory(deps, ctx.state.actor, id, to);
  });

  router.post("/", asAgent, async (ctx) => {
    const input = await parseBody(ctx, replySchema);
    ctx.status = 201;
    ctx.body = { reply: await createReply(deps, ctx.state.actor, input) };
  });

  router.patch("/:id", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, "快捷回复不存在");
    ctx.body = { reply: await updateReply(deps, ctx.state.actor, id, await parseBody(ctx, replyPatchSchema)) };
  });

  router.delete("/:id", asAgent, async (ctx) => {
    await deleteReply(deps, ctx.state.actor, idParam(ctx.params.id, "快捷回复不存在"));
    ctx.status = 204;
  });

  router.post("/:id/move", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, "快捷回复不存在");
    const { to } = await parseBody(ctx, moveSchema);
    ctx.body = { replies: await moveReply(deps, ctx.state.actor, id, to) };
  });

  return router;
}
