import Router from "@koa/router";
import { safeMediaType } from "../../modules/conversations/mediaFiles";
import type { NoticesDeps } from "../../modules/notices/deps";
import { readPhoto } from "../../modules/notices/noticeMedia";
import { fanListQuerySchema, outageSearchQuerySchema, queryObject } from "../../modules/notices/noticeSchemas";
import { knownAreas, listVisibleNotices, NOTICE_NOT_FOUND, searchOutages, visibleNoticeDetail } from "../../modules/notices/queries";
import { idParam, parseInput } from "../console/authInput";

/**
 * Fan-facing notices (H5 pages, later the mini program). Notices are public information: no fan session
 * is needed, so a link opened outside WeChat or shared onward works too. Only published notices inside
 * their window exist here; anything else is 404. docs/api/notices.md.
 */
export function createFanNoticesRouter(deps: NoticesDeps): Router {
  const router = new Router({ prefix: "/api/fan/notices" });

  router.get("/", async (ctx) => {
    ctx.body = await listVisibleNotices(deps, parseInput(fanListQuerySchema, queryObject(ctx.query)));
  });

  router.get("/outages", async (ctx) => {
    ctx.body = await searchOutages(deps, parseInput(outageSearchQuerySchema, queryObject(ctx.query)));
  });

  router.get("/areas", async (ctx) => {
    ctx.body = { areas: await knownAreas(deps.dataSource) };
  });

  // Uploaded timeline photos: public like the notices; an id's bytes never change.
  router.get("/media/:id", async (ctx) => {
    const photo = await readPhoto(deps, idParam(ctx.params.id, "图片不存在"));
    ctx.type = safeMediaType(photo.contentType);
    ctx.set("Cache-Control", "public, max-age=604800, immutable");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.body = photo.data;
  });

  router.get("/:id", async (ctx) => {
    ctx.body = { notice: await visibleNoticeDetail(deps, idParam(ctx.params.id, NOTICE_NOT_FOUND)) };
  });

  return router;
}
