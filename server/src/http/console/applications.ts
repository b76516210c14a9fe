import Router from "@koa/router";
import { z } from "zod";
import { applicationForStaff, listApplications, transitionApplication } from "../../modules/applications/applications";
import type { ApplicationDeps } from "../../modules/applications/deps";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody, parseInput } from "./authInput";

/**
 * Applications for staff. Handling them is back-office work: supervisors and admins change status;
 * agents may read (to answer a fan in chat) with the ID number masked and without the ID photos.
 */

const date = (label: string) => z.coerce.date({ error: `${label}不是有效的日期` }).optional();
const listQuery = z.object({
  type: z.enum(["new_account", "account_change", "meter_check"], { error: "业务类型不正确" }).optional(),
  status: z.enum(["awaiting_payment", "submitted", "accepted", "processing", "done", "rejected"], { error: "状态不正确" }).optional(),
  from: date("开始日期"),
  to: date("结束日期"),
  before: z.string().regex(/^[0-9a-f-]{36}$/, { message: "分页参数不正确" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const statusBody = z.object({
  status: z.enum(["accepted", "processing", "done", "rejected"], { error: "目标状态不正确" }),
  note: z.string().trim().max(200, { message: "备注最多 200 个字" }).nullish(),
});

function queryOf(query: Record<string, string | string[] | undefined>) {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => typeof value === "string" && value !== ""));
}

export function createConsoleApplicationsRouter(deps: ApplicationDeps): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/applications" });
  const auth = { dataSource: deps.dataSource, sessions: deps.consoleSessions };
  const asAgent = requireAgent(auth, "agent");
  const asSupervisor = requireAgent(auth, "supervisor");

  router.get("/", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await listApplications(deps, parseInput(listQuery, queryOf(ctx.query)));
  });

  router.get("/:id", asAgent, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = { application: await applicationForStaff(deps, ctx.state.actor, idParam(ctx.params.id, "申请不存在")) };
  });

  router.post("/:id/status", asSupervisor, async (ctx) => {
    const id = idParam(ctx.params.id, "申请不存在");
    const body = await parseBody(ctx, statusBody);
    ctx.body = { application: await transitionApplication(deps, ctx.state.actor, id, body.status, body.note || null) };
  });

  return router;
}
