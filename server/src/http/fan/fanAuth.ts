import type { Context, Middleware, Next } from "koa";
import type { SessionStore } from "../../modules/agents/sessions";
import { FAN_SESSION_COOKIE, FAN_SESSION_TTL_MS } from "../../modules/water/fanSessions";
import { unauthorized } from "../errors";

/** The fan, as every /api/fan route sees them after requireFan. */
export interface FanState {
  openid: string;
}

/** Resolves the fan session cookie (set by the OAuth callback); 401 without a live session. */
export function requireFan(fanSessions: SessionStore): Middleware {
  return async (ctx: Context, next: Next) => {
    const openid = await fanSessions.resolve(ctx.cookies.get(FAN_SESSION_COOKIE));
    if (!openid) throw unauthorized("请在微信中重新打开页面");
    ctx.state.fan = { openid } satisfies FanState;
    await next();
  };
}

export function fanOf(ctx: Context): { openid: string; ip: string | null } {
  return { openid: (ctx.state.fan as FanState).openid, ip: ctx.ip || null };
}

export function setFanSessionCookie(ctx: Context, token: string, secure: boolean): void {
  ctx.cookies.set(FAN_SESSION_COOKIE, token, { httpOnly: true, sameSite: "lax", secure, maxAge: FAN_SESSION_TTL_MS, overwrite: true, path: "/" });
}

export function clearFanSessionCookie(ctx: Context): void {
  ctx.cookies.set(FAN_SESSION_COOKIE, null, { httpOnly: true, sameSite: "lax", overwrite: true, path: "/" });
}
