import { randomBytes } from "node:crypto";
import Router from "@koa/router";
import type { Config } from "../../config";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Logger } from "../../infra/logger";
import type { SessionStore } from "../../modules/agents/sessions";
import { FAN_SESSION_COOKIE } from "../../modules/water/fanSessions";
import type { WechatApiClient } from "../../wechat/api/client";
import { WechatApiError } from "../../wechat/api/errors";
import { badRequest, forbidden } from "../errors";
import { clearFanSessionCookie, setFanSessionCookie } from "./fanAuth";

/**
 * Fan identity for the H5 pages (web OAuth, snsapi_base, reference §11):
 *
 *   GET /api/fan/oauth/start?next=/h5/#/bills   → WeChat's authorize page (sandbox: /sandbox/oauth), with a state nonce
 *   GET /api/fan/oauth/callback?code&state      → code exchanged for the openid, fan session cookie, redirect to next
 *
 * The state is single-use and lives 10 minutes in the key-value store; `next` must be a path on this
 * server (no open redirect).
 */

const STATE_TTL_MS = 10 * 60_000;
const stateKey = (state: string) => `fan:oauth-state:${state}`;
export const DEFAULT_NEXT = "/h5/";

/** A local path to return to; anything else (absolute URLs, //host, backslashes, control characters) becomes the H5 home. */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || value.length > 500) return DEFAULT_NEXT;
  if (!value.startsWith("/") || value.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(value)) return DEFAULT_NEXT;
  return value;
}

export function createFanOAuthRouter(deps: { config: Config; kv: KeyValueStore; wechat: WechatApiClient; fanSessions: SessionStore; logger: Logger }): Router {
  const { config } = deps;
  const router = new Router({ prefix: "/api/fan/oauth" });
  const callbackUrl = `${config.publicUrl}/api/fan/oauth/callback`;
  const secure = config.publicUrl.startsWith("https://");

  router.get("/start", async (ctx) => {
    const next = safeNext(ctx.query.next);
    const state = randomBytes(16).toString("hex");
    await deps.kv.set(stateKey(state), next, STATE_TTL_MS);
    if (config.sandbox) {
      // The sandbox stands in for WeChat's authorize page; ?openid= picks the demo fan (default: the first).
      const openid = typeof ctx.query.openid === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(ctx.query.openid) ? ctx.query.openid : null;
      const target = new URL(`${config.publicUrl}/sandbox/oauth`);
      target.searchParams.set("redirect", `${callbackUrl}?state=${state}`);
      if (openid) target.searchParams.set("openid", openid);
      ctx.redirect(target.toString());
      return;
    }
    const authorize = new URL("https://open.weixin.qq.com/connect/oauth2/authorize");
    authorize.searchParams.set("appid", config.wechat.appId);
    authorize.searchParams.set("redirect_uri", callbackUrl);
    authorize.searchParams.set("response_type", "code");
    authorize.searchParams.set("scope", "snsapi_base");
    authorize.searchParams.set("state", state);
    ctx.redirect(`${authorize.toString()}#wechat_redirect`);
  });

  router.get("/callback", async (ctx) => {
    const code = typeof ctx.query.code === "string" ? ctx.query.code : "";
    const state = typeof ctx.query.state === "string" ? ctx.query.state : "";
    if (!code || !/^[a-f0-9]{32}$/.test(state)) throw badRequest("oauth_invalid", "授权参数不完整，请重新打开页面");
    const next = await deps.kv.get(stateKey(state));
    // Single use: of two callbacks with the same state only the one that deletes it goes on.
    if (next === null || !(await deps.kv.delete(stateKey(state)))) throw badRequest("oauth_state_invalid", "授权已过期，请重新打开页面");
    let identity;
    try {
      identity = await deps.wechat.oauthCodeToOpenId(code);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      deps.logger.warn({ err: error }, "fan oauth code exchange refused");
      throw badRequest("oauth_code_invalid", "微信授权失败，请重新打开页面");
    }
    // A "snapshot mode" user is a virtual account: never give it a session (reference §11).
    if (identity.isSnapshotUser) throw forbidden("请在微信中打开并关注公众号后使用");
    const token = await deps.fanSessions.create(identity.openId);
    setFanSessionCookie(ctx, token, secure);
    ctx.redirect(safeNext(next));
  });

  router.post("/logout", async (ctx) => {
    await deps.fanSessions.destroy(ctx.cookies.get(FAN_SESSION_COOKIE));
    clearFanSessionCookie(ctx);
    ctx.status = 204;
  });

  return router;
}
