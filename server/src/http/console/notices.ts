import Router from "@koa/router";
import { addEntry, createNotice, publishNotice, removeEntry, unpublishNotice, updateNotice } from "../../modules/notices/commands";
import type { NoticesDeps } from "../../modules/notices/deps";
import { NOTICE_PHOTO_LIMIT_BYTES, storePhoto } from "../../modules/notices/noticeMedia";
import { adminListQuerySchema, entryBodySchema, noticeBodySchema, photoUploadSchema, queryObject, templateSettingsSchema } from "../../modules/notices/noticeSchemas";
import { outageTemplateId } from "../../modules/notices/outageNotification";
import { knownAreas, listNoticesForAdmin, noticeForAdmin } from "../../modules/notices/queries";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody, parseInput, readJson } from "./authInput";

// Base64 is 4/3 of the bytes, plus room for the JSON around it.
const PHOTO_BODY_LIMIT_BYTES = Math.ceil((NOTICE_PHOTO_LIMIT_BYTES * 4) / 3) + 16 * 1024;

/**
 * Console: notices. Supervisors may read (they answer fans' questions about outages); only admins
 * create, edit, publish, unpublish and edit repair timelines. Agents get 403. docs/api/notices.md.
 */
export function createConsoleNoticesRouter(deps: NoticesDeps): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/notices" });
  const asAdmin = requireAgent(deps, "admin");
  const asSupervisor = requireAgent(deps, "supervisor");
  const noticeId = (value: string | undefined) => idParam(value, "公告不存在");

  router.get("/", asSupervisor, async (ctx) => {
    ctx.body = await listNoticesForAdmin(deps, parseInput(adminListQuerySchema, queryObject(ctx.query)));
  });

  router.get("/areas", asSupervisor, async (ctx) => {
    ctx.body = { areas: await knownAreas(deps.dataSource) };
  });

  router.get("/settings", asAdmin, async (ctx) => {
    ctx.body = await templateSettings(deps);
  });

  router.put("/settings", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, templateSettingsSchema);
    await deps.settings.set("notices.outageTemplateId", input.outageTemplateId);
    await deps.settings.set("notices.outageTemplate.areaKey", input.areaKey);
    await deps.settings.set("notices.outageTemplate.startKey", input.startKey);
    await deps.settings.set("notices.outageTemplate.endKey", input.endKey);
    await deps.settings.set("notices.outageTemplate.reasonKey", input.reasonKey);
    ctx.body = await templateSettings(deps);
  });

  // A photo for a repair timeline: JSON { dataBase64 } (2 MB image), answered with the URL to put in an entry.
  router.post("/media", asAdmin, async (ctx) => {
    const input = parseInput(photoUploadSchema, await readJson(ctx, { limit: PHOTO_BODY_LIMIT_BYTES, tooLarge: { code: "image_too_large", message: "图片不能超过 2 MB" } }));
    ctx.status = 201;
    ctx.body = await storePhoto(deps, ctx.state.actor, input.dataBase64);
  });

  router.post("/", asAdmin, async (ctx) => {
    const body = await parseBody(ctx, noticeBodySchema);
    ctx.status = 201;
    ctx.body = await createNotice(deps, ctx.state.actor, body);
  });

  router.get("/:id", asSupervisor, async (ctx) => {
    ctx.body = await noticeForAdmin(deps, noticeId(ctx.params.id));
  });

  router.put("/:id", asAdmin, async (ctx) => {
    const id = noticeId(ctx.params.id);
    const body = await parseBody(ctx, noticeBodySchema);
    ctx.body = await updateNotice(deps, ctx.state.actor, id, body);
  });

  router.post("/:id/publish", asAdmin, async (ctx) => {
    ctx.body = await publishNotice(deps, ctx.state.actor, noticeId(ctx.params.id));
  });

  router.post("/:id/unpublish", asAdmin, async (ctx) => {
    ctx.body = await unpublishNotice(deps, ctx.state.actor, noticeId(ctx.params.id));
  });

  router.post("/:id/entries", asAdmin, async (ctx) => {
    const id = noticeId(ctx.params.id);
    const body = await parseBody(ctx, entryBodySchema);
    ctx.status = 201;
    ctx.body = await addEntry(deps, ctx.state.actor, id, body);
  });

  router.delete("/:id/entries/:entryId", asAdmin, async (ctx) => {
    const id = noticeId(ctx.params.id);
    ctx.body = await removeEntry(deps, ctx.state.actor, id, idParam(ctx.params.entryId, "进展不存在"));
  });

  return router;
}

async function templateSettings(deps: NoticesDeps) {
  const configured = (await deps.settings.get("notices.outageTemplateId")).trim();
  return {
    outageTemplateId: configured,
    /** What a publish would use now: the setting, or the sandbox's demo id when it is empty. */
    effectiveTemplateId: (await outageTemplateId(deps)) || null,
    areaKey: await deps.settings.get("notices.outageTemplate.areaKey"),
    startKey: await deps.settings.get("notices.outageTemplate.startKey"),
    endKey: await deps.settings.get("notices.outageTemplate.endKey"),
    reasonKey: await deps.settings.get("notices.outageTemplate.reasonKey"),
  };
}
