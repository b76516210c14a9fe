import Router from "@koa/router";
import getRawBody from "raw-body";
import type { SessionStore } from "../../modules/agents/sessions";
import { presentUpload, UPLOAD_LIMITS, type FanUploads } from "../../modules/applications/fanUploads";
import { idParam } from "../console/authInput";
import { badRequest, HttpError } from "../errors";
import { fanOf, requireFan } from "./fanAuth";

/**
 * Fans' H5 uploads: POST the file itself as the body (Content-Type the file's type; `?kind=image|voice`
 * says what the form expects), GET it back. A fan reads only their own files. docs/api/applications.md.
 */
export function createFanUploadsRouter(deps: { fanSessions: SessionStore; uploads: FanUploads }): Router {
  const router = new Router({ prefix: "/api/fan/uploads" });
  const fan = requireFan(deps.fanSessions);

  router.post("/", fan, async (ctx) => {
    const kind = ctx.query.kind;
    if (kind !== undefined && kind !== "image" && kind !== "voice") throw badRequest("invalid_input", "kind 只能是 image 或 voice");
    let data: Buffer;
    try {
      data = await getRawBody(ctx.req, { limit: Math.max(UPLOAD_LIMITS.image, UPLOAD_LIMITS.voice), length: ctx.get("content-length") || undefined });
    } catch (error) {
      if ((error as { type?: string }).type === "entity.too.large") throw new HttpError(413, "upload_too_large", "文件太大（图片不超过 5 MB，录音不超过 2 MB）");
      throw badRequest("body_unreadable", "文件读取失败，请重试");
    }
    const upload = await deps.uploads.store(fanOf(ctx).openid, data, kind);
    ctx.status = 201;
    ctx.body = { upload: presentUpload(upload) };
  });

  router.get("/:id", fan, async (ctx) => {
    const { openid } = fanOf(ctx);
    const upload = await deps.uploads.read(idParam(ctx.params.id, "文件不存在"), (file) => file.fanOpenid === openid);
    ctx.set("Cache-Control", "private, max-age=86400");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.type = upload.contentType;
    ctx.body = upload.data;
  });

  return router;
}
