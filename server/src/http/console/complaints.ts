import Router from "@koa/router";
import { z } from "zod";
import type { ComplaintDeps } from "../../modules/complaints/deps";
import { complaintFromConversation } from "../../modules/complaints/fromConversation";
import { complaintAssignees, complaintCounts, complaintForStaff, listComplaints } from "../../modules/complaints/queries";
import { acceptComplaint, addComplaintNote, assignComplaint, closeComplaint, replyComplaint, revisitComplaint } from "../../modules/complaints/workflow";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, paragraph, parseBody, parseInput } from "./authInput";

/**
 * The complaint center. Every staff member may read it; supervisors and admins accept, assign and close;
 * the assignee (or a supervisor) processes, answers and records the revisit. Turning a conversation into a
 * ticket: its agent, or a supervisor. docs/api/complaints.md.
 */

const NOT_FOUND = "工单不存在";
const uuid = z.string().regex(/^[0-9a-f-]{36}$/, { message: "处理人不存在" });
const listQuery = z.object({
  status: z.enum(["submitted", "accepted", "processing", "replied", "revisited", "closed"], { error: "状态不正确" }).optional(),
  category: z.enum(["complaint", "suggestion"], { error: "类别不正确" }).optional(),
  source: z.enum(["conversation", "h5", "chat_menu"], { error: "来源不正确" }).optional(),
  assignee: z.union([z.literal("none"), z.literal("me"), uuid], { error: "处理人不正确" }).optional(),
  from: z.coerce.date({ error: "开始日期不正确" }).optional(),
  to: z.coerce.date({ error: "结束日期不正确" }).optional(),
  overdue: z.enum(["1", "0", "true", "false"]).transform((v) => v === "1" || v === "true").optional(),
  before: z.string().regex(/^[0-9a-f-]{36}$/, { message: "分页参数不正确" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const acceptBody = z.object({ assigneeId: uuid.nullish() });
const assignBody = z.object({ assigneeId: uuid });
const noteBody = z.object({ note: paragraph("处理记录", 1000), public: z.boolean().default(false) });
const replyBody = z.object({ result: paragraph("处理结果", 1000) });
const revisitBody = z.object({
  rating: z.number({ error: "请选择满意度" }).int({ message: "满意度为 1–5 分" }).min(1, { message: "满意度为 1–5 分" }).max(5, { message: "满意度为 1–5 分" }),
  note: z.string().trim().max(500, { message: "回访记录最多 500 个字" }).nullish(),
});
const closeBody = z.object({ note: z.string().trim().max(500, { message: "原因最多 500 个字" }).nullish() });
const fromConversationBody = z.object({
  category: z.enum(["complaint", "suggestion"], { error: "类别不正确" }).default("complaint"),
  title: z.string().trim().min(1).max(100, { message: "标题最多 100 个字" }).nullish(),
  content: z.string().trim().min(1).max(1000, { message: "内容最多 1000 个字" }).nullish(),
});

function queryOf(query: Record<string, string | string[] | undefined>) {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => typeof value === "string" && value !== ""));
}

export function createConsoleComplaintsRouter(deps: ComplaintDeps): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console" });
  const auth = { dataSource: deps.dataSource, sessions: deps.consoleSessions };
  const asAgent = requireAgent(auth, "agent");
  const asSupervisor = requireAgent(auth, "supervisor");
  const detail = async (id: string) => ({ complaint: await complaintForStaff(deps, id) });

  router.get("/complaints", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    const filter = parseInput(listQuery, queryOf(ctx.query));
    const assignee = filter.assignee === "me" ? ctx.state.actor.id : filter.assignee;
    ctx.body = { ...(await listComplaints(deps, { ...filter, assignee })), counts: await complaintCounts(deps), serverTime: deps.clock.now().toISOString() };
  });

  // Before /complaints/:id. Every staff member: the 处理人 filter needs the names too.
  router.get("/complaints/assignees", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { agents: await complaintAssignees(deps) };
  });

  router.get("/complaints/:id", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await detail(idParam(ctx.params.id, NOT_FOUND));
  });

  router.post("/complaints/:id/accept", asSupervisor, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, acceptBody);
    await acceptComplaint(deps, ctx.state.actor, id, body.assigneeId ?? null);
    ctx.body = await detail(id);
  });

  router.post("/complaints/:id/assign", asSupervisor, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, assignBody);
    await assignComplaint(deps, ctx.state.actor, id, body.assigneeId);
    ctx.body = await detail(id);
  });

  router.post("/complaints/:id/notes", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, noteBody);
    await addComplaintNote(deps, ctx.state.actor, id, body.note.trim(), body.public);
    ctx.body = await detail(id);
  });

  router.post("/complaints/:id/reply", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, replyBody);
    await replyComplaint(deps, ctx.state.actor, id, body.result.trim());
    ctx.body = await detail(id);
  });

  router.post("/complaints/:id/revisit", asAgent, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, revisitBody);
    await revisitComplaint(deps, ctx.state.actor, id, body.rating, body.note || null);
    ctx.body = await detail(id);
  });

  router.post("/complaints/:id/close", asSupervisor, async (ctx) => {
    const id = idParam(ctx.params.id, NOT_FOUND);
    const body = await parseBody(ctx, closeBody);
    await closeComplaint(deps, ctx.state.actor, id, body.note || null);
    ctx.body = await detail(id);
  });

  router.post("/conversations/:id/complaint", asAgent, async (ctx) => {
    const conversationId = idParam(ctx.params.id, "会话不存在");
    const body = await parseBody(ctx, fromConversationBody);
    const complaint = await complaintFromConversation(deps, ctx.state.actor, conversationId, { category: body.category, title: body.title ?? null, content: body.content ?? null });
    ctx.status = 201;
    ctx.body = await detail(complaint.id);
  });

  return router;
}
