import Router from "@koa/router";
import type { Config } from "../../config";
import { badRequest, notFound } from "../../http/errors";
import type { Sandbox } from "../../sandbox/sandbox";
import { DEMO_FANS } from "../demo/seedDemo";
import { PHONE_PATTERN, type SandboxSmsProvider } from "./sms";

/**
 * Sandbox-only stand-ins for the water pages (mounted only when SANDBOX is on):
 *
 *   GET /sandbox/oauth?redirect=<callback URL>&openid=<fan>   WeChat's silent authorize page: redirects back at
 *                                                              once with a one-time code the fake issued for the
 *                                                              fan (default: the first demo fan)
 *   GET /sandbox/api/sms?phone=<phone>                        the last SMS the sandbox provider "sent" there
 *                                                              (404 when SMS_API_BASE sends real ones)
 */
export function createWaterSandboxRouter(deps: { config: Config; sandbox: Sandbox; sms: SandboxSmsProvider | null }): Router {
  const router = new Router({ prefix: "/sandbox" });

  router.get("/oauth", (ctx) => {
    const redirect = typeof ctx.query.redirect === "string" ? ctx.query.redirect : "";
    let target: URL;
    try {
      target = new URL(redirect);
    } catch {
      throw badRequest("redirect_invalid", "redirect 必须是本服务的回调地址");
    }
    // Like WeChat's domain check: codes go only back to this server.
    if (target.origin !== new URL(deps.config.publicUrl).origin) throw badRequest("redirect_invalid", "redirect 必须是本服务的回调地址");
    const openid = typeof ctx.query.openid === "string" && ctx.query.openid ? ctx.query.openid : DEMO_FANS[0].openid;
    target.searchParams.set("code", deps.sandbox.fake.issueOAuthCode(openid, { scope: "snsapi_base" }));
    ctx.redirect(target.toString());
  });

  router.get("/api/sms", async (ctx) => {
    const phone = typeof ctx.query.phone === "string" ? ctx.query.phone : "";
    if (!PHONE_PATTERN.test(phone)) throw badRequest("phone_invalid", "请提供 11 位手机号");
    // With SMS_API_BASE set, codes go to real phones even in the sandbox: nothing to show here.
    if (!deps.sms) throw notFound("已配置真实短信平台（SMS_API_BASE），验证码请查看手机短信");
    const message = await deps.sms.lastMessage(phone);
    if (!message) throw notFound("该手机号还没有收到验证码");
    ctx.body = message;
  });

  return router;
}
