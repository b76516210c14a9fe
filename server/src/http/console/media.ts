import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import type { SessionStore } from "../../modules/agents/sessions";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { loadMedia, MediaCache, safeMediaType } from "../../modules/conversations/mediaFiles";
import type { WechatApiClient } from "../../wechat/api/client";
import { WechatApiError } from "../../wechat/api/errors";
import { badRequest, HttpError } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { parseInput, readJson } from "./authInput";

/** WeChat keeps temporary media 3 days and takes images up to 2 MB (reference §12). */
export const IMAGE_LIMIT_BYTES = 2 * 1024 * 1024;
const MEDIA_TTL_MS = 3 * 24 * 3600_000;
// Base64 is 4/3 of the bytes, plus room for the JSON around it.
const BODY_LIMIT_BYTES = Math.ceil((IMAGE_LIMIT_BYTES * 4) / 3) + 16 * 1024;

/** Image formats WeChat accepts, recognised by their first bytes rather than by the name or type given. */
const IMAGE_FORMATS = [
  { type: "image/jpeg", extension: "jpg", matches: (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "image/png", extension: "png", matches: (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: "image/gif", extension: "gif", matches: (b: Buffer) => b.subarray(0, 4).toString("latin1") === "GIF8" },
  { type: "image/bmp", extension: "bmp", matches: (b: Buffer) => b.subarray(0, 2).toString("latin1") === "BM" },
];

const uploadSchema = z.object({
  fileName: z.string({ message: "请提供文件名" }).trim().min(1, { message: "请提供文件名" }).max(100, { message: "文件名太长" }),
  contentType: z.string({ message: "请提供文件类型" }).trim().max(100),
  dataBase64: z.string({ message: "请提供图片内容" }).min(1, { message: "图片是空的" }),
});


/** A media id's bytes never change; browsers may keep them for WeChat's 3 days, but only for this agent. */
const MEDIA_CACHE_CONTROL = `private, max-age=${MEDIA_TTL_MS / 1000}, immutable`;

/**
 * Uploads an image an agent wants to send as temporary WeChat media (the reply then names its mediaId),
 * and shows temporary media — fans' pictures, voice and video, pictures agents sent — to the console.
 */
export function createMediaRouter(deps: ConversationDeps & { sessions: SessionStore; wechat: WechatApiClient }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/media" });
  const asAgent = requireAgent(deps, "agent");
  const cache = new MediaCache();

  router.get("/:mediaId", asAgent, async (ctx) => {
    const file = await loadMedia({ wechat: deps.wechat, logger: deps.logger, cache }, ctx.params.mediaId);
    ctx.type = safeMediaType(file.contentType);
    ctx.set("Cache-Control", MEDIA_CACHE_CONTROL);
    ctx.set("X-Content-Type-Options", "nosniff");
    if (file.fileName) ctx.set("Content-Disposition", `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
    ctx.body = file.data;
  });

  router.post("/", asAgent, async (ctx) => {
    const input = parseInput(uploadSchema, await readJson(ctx, { limit: BODY_LIMIT_BYTES, tooLarge: { code: "image_too_large", message: "图片不能超过 2 MB" } }));
    const base64 = input.dataBase64.replace(/^data:[^;]*;base64,/, "").replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw badRequest("invalid_image", "图片内容不是合法的 Base64");
    const data = Buffer.from(base64, "base64");
    if (data.length === 0) throw badRequest("invalid_image", "图片是空的");
    if (data.length > IMAGE_LIMIT_BYTES) throw new HttpError(413, "image_too_large", "图片不能超过 2 MB");
    const format = IMAGE_FORMATS.find((candidate) => candidate.matches(data));
    if (!format) throw badRequest("image_unsupported", "只能发送 JPG、PNG、GIF 或 BMP 图片");
    const baseName = input.fileName.replace(/\.[^.]*$/, "").replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 60) || "image";
    try {
      const uploaded = await deps.wechat.uploadMedia("image", `${baseName}.${format.extension}`, format.type, data);
      ctx.status = 201;
      ctx.body = { mediaId: uploaded.mediaId, contentType: format.type, size: data.length, expiresAt: new Date(uploaded.createdAt * 1000 + MEDIA_TTL_MS).toISOString() };
    } catch (error) {
      if (error instanceof WechatApiError) {
        deps.logger.warn({ errcode: error.errcode, errmsg: error.errmsg }, "image upload to WeChat failed");
        throw new HttpError(502, "wechat_upload_failed", `上传图片到微信失败（${error.errcode}），请稍后重试`);
      }
      throw error;
    }
  });

  return router;
}
