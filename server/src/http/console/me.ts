import Router from "@koa/router";
import type { DataSource } from "typeorm";
import { settingsSchema, statusSchema } from "../../modules/agents/agentSchemas";
import type { AgentSettingsService } from "../../modules/agents/agentSettings";
import type { AgentStatusService } from "../../modules/agents/agentStatus";
import { presentMe } from "../../modules/agents/presenters";
import type { SessionStore } from "../../modules/agents/sessions";
import { notFound, unauthorized } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { parseBody } from "./authInput";

/** The signed-in agent: who am I, my settings, my status. */
export function createMeRouter(deps: {
  dataSource: DataSource;
  sessions: SessionStore;
  status: AgentStatusService;
  settings: AgentSettingsService;
  groupName: (groupId: string | null) => Promise<string | null>;
}): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console" });
  const signedIn = requireAgent(deps, "agent");

  router.get("/me", signedIn, async (ctx) => {
    const agent = await deps.settings.get(ctx.state.actor.id);
    if (!agent) throw unauthorized();
    ctx.set("Cache-Control", "no-store");
    ctx.body = presentMe(agent, await deps.groupName(agent.groupId));
  });

  router.patch("/me/settings", signedIn, async (ctx) => {
    const changes = await parseBody(ctx, settingsSchema);
    const agent = await deps.settings.update(ctx.state.actor.id, changes);
    if (!agent) throw notFound("客服不存在或已被删除");
    ctx.body = presentMe(agent, await deps.groupName(agent.groupId));
  });

  router.put("/me/status", signedIn, async (ctx) => {
    const { status } = await parseBody(ctx, statusSchema);
    const agent = await deps.status.setStatus(ctx.state.actor.id, status);
    if (!agent) throw notFound("客服不存在或已被删除");
    ctx.body = presentMe(agent, await deps.groupName(agent.groupId));
  });

  return router;
}
