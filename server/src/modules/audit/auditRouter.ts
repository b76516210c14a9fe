import Router from "@koa/router";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { requireAgent } from "../../http/console/auth";
import { parseInput } from "../../http/console/authInput";
import type { SessionStore } from "../agents/sessions";
import { searchAudit } from "./audit";

const isoTime = (label: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), { message: `${label}不是有效的时间（ISO 8601）` })
    .transform((value) => new Date(value));

const auditQuery = z.object({
  actor: z.string().trim().max(64).optional(),
  account: z.string().trim().max(32).optional(),
  action: z.string().trim().max(40).optional(),
  from: isoTime("开始时间").optional(),
  to: isoTime("结束时间").optional(),
  before: z.string().regex(/^[0-9a-f-]{36}$/, { message: "翻页参数不正确" }).optional(),
  limit: z.coerce.number().int().min(1, { message: "每页条数为 1–200" }).max(200, { message: "每页条数为 1–200" }).default(50),
});

/** GET /api/console/audit — the audit log, admins only; filters: actor, account (户号), action, from/to. */
export function createAuditRouter(deps: { dataSource: DataSource; sessions: SessionStore }): Router {
  const router = new Router({ prefix: "/api/console/audit" });
  router.get("/", requireAgent(deps, "admin"), async (ctx) => {
    const query = parseInput(auditQuery, Object.fromEntries(Object.entries(ctx.query).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value || undefined])));
    ctx.body = await searchAudit(deps.dataSource, query);
  });
  return router;
}
