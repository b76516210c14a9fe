import type { Context, Middleware, Next } from "koa";
import type { DataSource } from "typeorm";
import { IsNull } from "typeorm";
import { Agent, type AgentRole } from "../../modules/agents/agent.entity";
import { SESSION_COOKIE, type SessionStore } from "../../modules/agents/sessions";
import { forbidden, unauthorized } from "../errors";

/** The signed-in agent, as every console route sees it. */
export interface ConsoleActor {
  id: string;
  name: string;
  role: AgentRole;
  groupId: string | null;
}

export interface ConsoleState {
  actor: ConsoleActor;
}

/** Supervisors and admins can do everything agents can; admins everything supervisors can. */
const RANK: Record<AgentRole, number> = { agent: 1, supervisor: 2, admin: 3 };

export function isAtLeast(actor: ConsoleActor, role: AgentRole): boolean {
  return RANK[actor.role] >= RANK[role];
}

/**
 * Resolves the session cookie to a live (not deleted) agent on every request, so a role change or a
 * deletion takes effect at once. 401 without a session; 403 below the required role.
 */
export function requireAgent(deps: { dataSource: DataSource; sessions: SessionStore }, minimumRole: AgentRole = "agent"): Middleware {
  return async (ctx: Context, next: Next) => {
    const actor = await resolveActor(deps, ctx.cookies.get(SESSION_COOKIE));
    if (!actor) throw unauthorized();
    if (!isAtLeast(actor, minimumRole)) throw forbidden();
    ctx.state.actor = actor;
    await next();
  };
}

export async function resolveActor(deps: { dataSource: DataSource; sessions: SessionStore }, token: string | undefined): Promise<ConsoleActor | null> {
  const agentId = await deps.sessions.resolve(token);
  if (!agentId) return null;
  const agent = await deps.dataSource.getRepository(Agent).findOneBy({ id: agentId, deletedAt: IsNull() });
  if (!agent) return null;
  return { id: agent.id, name: agent.name, role: agent.role, groupId: agent.groupId };
}

export function setSessionCookie(ctx: Context, token: string, secure: boolean, maxAgeMs: number): void {
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, maxAge: maxAgeMs, overwrite: true });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, null, { httpOnly: true, sameSite: "lax", overwrite: true });
}
