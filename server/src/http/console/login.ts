import Router from "@koa/router";
import type { Context } from "koa";
import type { DataSource } from "typeorm";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Agent } from "../../modules/agents/agent.entity";
import { loginExchangeSchema, passwordLoginSchema } from "../../modules/agents/agentSchemas";
import type { AgentSignIn } from "../../modules/agents/agentSignIn";
import { readLoginScene, type LoginQrService } from "../../modules/agents/loginQr";
import { presentMe } from "../../modules/agents/presenters";
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionStore } from "../../modules/agents/sessions";
import { badRequest, HttpError } from "../errors";
import { wechatFailure } from "./agents";
import { clearSessionCookie, resolveActor, setSessionCookie } from "./auth";
import { parseBody } from "./authInput";

/** Login QR codes one IP may ask for per minute (a whole office behind one NAT reloading at 8:30 stays under it). */
const LOGIN_QR_PER_MINUTE = 60;

/**
 * Signing in and out: the login QR code (issue, status poll, exchange), password login, logout.
 * Everything here but logout works without a session.
 */
export function createLoginRouter(deps: {
  dataSource: DataSource;
  sessions: SessionStore;
  kv: KeyValueStore;
  login: LoginQrService;
  signIn: AgentSignIn;
  groupName: (groupId: string | null) => Promise<string | null>;
  /** Cookies are `Secure` when the console is served over https. */
  secureCookies: boolean;
}): Router {
  const { kv, login, signIn } = deps;
  const router = new Router({ prefix: "/api/console" });

  const startSession = async (ctx: Context, agent: Agent) => {
    const session = await signIn.signIn(agent);
    setSessionCookie(ctx, session.token, deps.secureCookies, SESSION_TTL_MS);
    ctx.set("Cache-Control", "no-store");
    ctx.body = presentMe(session.agent, await deps.groupName(session.agent.groupId));
  };

  router.get("/login/qr", async (ctx) => {
    const count = await kv.increment(`login-qr-rate:${ctx.ip}`, 1, 60_000);
    if (count > LOGIN_QR_PER_MINUTE) throw new HttpError(429, "too_many_requests", "请求过于频繁，请稍后再刷新二维码");
    ctx.set("Cache-Control", "no-store");
    ctx.body = await login.issue().catch(wechatFailure("获取登录二维码失败"));
  });

  router.get("/login/qr/:scene", async (ctx) => {
    const view = await readLoginScene(kv, ctx.params.scene ?? "");
    ctx.set("Cache-Control", "no-store");
    ctx.body = view;
  });

  router.post("/login/qr/exchange", async (ctx) => {
    const { scene, code } = await parseBody(ctx, loginExchangeSchema);
    const agent = await login.exchange(scene, code);
    if (!agent) throw badRequest("login_expired", "登录已失效，请刷新二维码后重新扫码");
    await startSession(ctx, agent);
  });

  router.post("/login/password", async (ctx) => {
    const { jobNumber, password } = await parseBody(ctx, passwordLoginSchema);
    try {
      await startSession(ctx, await signIn.withPassword(jobNumber, password, ctx.ip));
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) {
        ctx.set("Retry-After", String((error.details as { retryAfterSeconds: number }).retryAfterSeconds));
      }
      throw error;
    }
  });

  router.post("/logout", async (ctx) => {
    const actor = await resolveActor(deps, ctx.cookies.get(SESSION_COOKIE));
    await deps.sessions.destroy(ctx.cookies.get(SESSION_COOKIE));
    if (actor) await signIn.logout(actor.id);
    clearSessionCookie(ctx);
    ctx.status = 204;
  });

  return router;
}
