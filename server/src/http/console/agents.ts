import Router from "@koa/router";
import type { DataSource } from "typeorm";
import type { AgentAdmin } from "../../modules/agents/agentAdmin";
import { createAgentSchema, groupSchema, listAgentsQuerySchema, updateAgentSchema } from "../../modules/agents/agentSchemas";
import type { BindingQrService } from "../../modules/agents/bindingQr";
import { presentAgentForAdmin, presentGroup } from "../../modules/agents/presenters";
import type { SessionStore } from "../../modules/agents/sessions";
import { WechatApiError } from "../../wechat/api/errors";
import { HttpError, notFound } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody, parseInput } from "./authInput";

/**
 * Admin: agents (create, change, delete, WeChat binding) and groups. Every route: authenticate → role →
 * validate → command → present.
 */
export function createAgentsRouter(deps: { dataSource: DataSource; sessions: SessionStore; admin: AgentAdmin; binding: BindingQrService }): Router<ConsoleState> {
  const { admin, binding } = deps;
  const router = new Router<ConsoleState>({ prefix: "/api/console" });
  const asAdmin = requireAgent(deps, "admin");
  const asAgent = requireAgent(deps, "agent");

  const present = async (agent: Parameters<typeof presentAgentForAdmin>[0]) => presentAgentForAdmin(agent, await admin.groupName(agent.groupId));

  router.get("/agents", asAdmin, async (ctx) => {
    const query = parseInput(listAgentsQuerySchema, ctx.query);
    const agents = await admin.list({ ...query, bound: query.bound === undefined ? undefined : query.bound === "true" });
    const groups = await admin.groupNames();
    ctx.body = { agents: agents.map((agent) => presentAgentForAdmin(agent, agent.groupId ? (groups.get(agent.groupId) ?? null) : null)) };
  });

  router.post("/agents", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, createAgentSchema);
    ctx.status = 201;
    ctx.body = { agent: await present(await admin.create(input)) };
  });

  router.get("/agents/:id", asAdmin, async (ctx) => {
    ctx.body = { agent: await present(await admin.get(idParam(ctx.params.id, "客服不存在或已被删除"))) };
  });

  router.patch("/agents/:id", asAdmin, async (ctx) => {
    const agentId = idParam(ctx.params.id, "客服不存在或已被删除");
    const input = await parseBody(ctx, updateAgentSchema);
    ctx.body = { agent: await present(await admin.update(ctx.state.actor.id, agentId, input)) };
  });

  router.delete("/agents/:id", asAdmin, async (ctx) => {
    await admin.remove(ctx.state.actor.id, idParam(ctx.params.id, "客服不存在或已被删除"));
    ctx.status = 204;
  });

  router.post("/agents/:id/binding-qr", asAdmin, async (ctx) => {
    const agent = await admin.get(idParam(ctx.params.id, "客服不存在或已被删除"));
    const issued = await binding.issue(agent.id).catch(wechatFailure("生成绑定二维码失败"));
    ctx.status = 201;
    ctx.body = issued;
  });

  router.get("/agents/:id/binding-qr", asAdmin, async (ctx) => {
    const agent = await admin.get(idParam(ctx.params.id, "客服不存在或已被删除"));
    const current = await binding.current(agent.id);
    if (!current) throw notFound("没有可用的绑定二维码，请重新生成");
    ctx.body = current;
  });

  router.delete("/agents/:id/binding", asAdmin, async (ctx) => {
    ctx.body = { agent: await present(await admin.unbind(idParam(ctx.params.id, "客服不存在或已被删除"))) };
  });

  // Groups: every agent may read them (filters, transfer dialogs); only admins change them.
  router.get("/agent-groups", asAgent, async (ctx) => {
    ctx.body = { groups: (await admin.listGroups()).map(({ group, memberCount }) => presentGroup(group, memberCount)) };
  });

  router.post("/agent-groups", asAdmin, async (ctx) => {
    const { name } = await parseBody(ctx, groupSchema);
    ctx.status = 201;
    ctx.body = { group: presentGroup(await admin.createGroup(name), 0) };
  });

  router.patch("/agent-groups/:id", asAdmin, async (ctx) => {
    const groupId = idParam(ctx.params.id, "分组不存在");
    const { name } = await parseBody(ctx, groupSchema);
    const { group, memberCount } = await admin.renameGroup(groupId, name);
    ctx.body = { group: presentGroup(group, memberCount) };
  });

  router.delete("/agent-groups/:id", asAdmin, async (ctx) => {
    await admin.deleteGroup(idParam(ctx.params.id, "分组不存在"));
    ctx.status = 204;
  });

  return router;
}

/** A WeChat API failure while making a QR code, as a 502 the console can show (with WeChat's code). */
export function wechatFailure(what: string) {
  return (error: unknown): never => {
    if (error instanceof WechatApiError) {
      throw new HttpError(502, "wechat_unavailable", `${what}：微信接口暂时不可用（错误码 ${error.errcode}），请稍后重试`, {
        errcode: error.errcode,
        errmsg: error.errmsg,
      });
    }
    throw error;
  };
}
