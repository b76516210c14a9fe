import Router from "@koa/router";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import { getGuide, listFeeStandards, listGuides, listOutletsNear, type GuidesDeps } from "../../modules/guides/guides";
import { nearQuerySchema } from "../../modules/guides/schemas";
import type { WechatApiClient } from "../../wechat/api/client";
import { WechatApiError } from "../../wechat/api/errors";
import { idParam, parseInput } from "../console/authInput";
import { badRequest, HttpError } from "../errors";
import { requireFan } from "./fanAuth";

/**
 * The fans' side of guides: process guides, fee standards and outlets are public information (no
 * session needed, so the mini program and shared links read them too); the JS-SDK configuration needs
 * the fan session. docs/api/guides.md
 */

export interface FanGuidesDeps extends GuidesDeps {
  publicUrl: string;
  wechat: WechatApiClient;
  fanSessions: SessionStore;
}

const categoryQuery = z.object({ category: z.string().trim().max(30, { message: "分类最多 30 个字" }).optional() });
const jsSdkQuery = z.object({ url: z.string({ error: "请提供页面地址 url" }).min(1, { message: "请提供页面地址 url" }).max(2000, { message: "页面地址过长" }) });

/** Only our own pages get a signature: a page URL outside PUBLIC_URL is refused. */
export function isOwnPage(url: string, publicUrl: string): boolean {
  let page: URL;
  let base: URL;
  try {
    page = new URL(url);
    base = new URL(publicUrl);
  } catch {
    return false;
  }
  const basePath = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  return page.origin === base.origin && (page.pathname === base.pathname || page.pathname.startsWith(basePath));
}

const query = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export function createFanGuidesRouter(deps: FanGuidesDeps): Router {
  const router = new Router({ prefix: "/api/fan" });

  router.get("/guides", async (ctx) => {
    const { category } = parseInput(categoryQuery, { category: query(ctx.query.category) });
    const all = await listGuides(deps, { publishedOnly: true });
    ctx.body = {
      categories: [...new Set(all.map((guide) => guide.category))],
      guides: (category ? all.filter((guide) => guide.category === category) : all).map(({ id, title, category: c, summary }) => ({ id, title, category: c, summary })),
    };
  });

  router.get("/guides/:id", async (ctx) => {
    ctx.body = { guide: await getGuide(deps, idParam(ctx.params.id, "办事指南不存在"), { publishedOnly: true }) };
  });

  router.get("/fees", async (ctx) => {
    ctx.body = { standards: (await listFeeStandards(deps)).map(({ position: _position, ...standard }) => standard) };
  });

  router.get("/outlets", async (ctx) => {
    const { lat, lng } = parseInput(nearQuerySchema, { lat: query(ctx.query.lat), lng: query(ctx.query.lng) });
    if ((lat === undefined) !== (lng === undefined)) throw badRequest("invalid_input", "经纬度需要同时提供");
    const from = lat !== undefined && lng !== undefined ? { latitude: lat, longitude: lng } : null;
    ctx.body = { located: from !== null, outlets: (await listOutletsNear(deps, from)).map(({ position: _position, ...outlet }) => outlet) };
  });

  router.get("/jssdk-config", requireFan(deps.fanSessions), async (ctx) => {
    const { url } = parseInput(jsSdkQuery, { url: query(ctx.query.url) });
    if (!isOwnPage(url, deps.publicUrl)) throw badRequest("invalid_url", "只能为本站页面签名");
    try {
      ctx.set("Cache-Control", "no-store");
      ctx.body = await deps.wechat.jsSdkConfig(url);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      throw new HttpError(502, "wechat_unavailable", "微信接口暂时不可用，请稍后再试");
    }
  });

  return router;
}
