import Router from "@koa/router";
import type { Context } from "koa";
import getRawBody from "raw-body";
import { readJson } from "../http/console/authInput";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { badRequest, HttpError } from "../http/errors";
import type { Logger } from "../infra/logger";
import { CallbackSender } from "./callbackSender";
import type { FakeWechatState } from "./fakeWechatState";
import { FanPhone, type ImageUpload, type Origins, type PushResult } from "./fanPhone";
import { SandboxFans } from "./sandboxFans";
import { currentMenu } from "./sandboxMenu";
import { createFanSchema, fanMessageSchema, menuTapSchema, openidSchema, parseInput, scanSchema, timelineQuerySchema } from "./simulatorSchema";
import { SIMULATOR_PAGE } from "./simulatorPage";
import { SIMULATOR_SCRIPT } from "./simulatorScript";
import { SIMULATOR_STYLES } from "./simulatorStyles";
import { Timeline } from "./timeline";

/**
 * The fan simulator: a page at /sandbox that stands in for a fan's phone, and the JSON API under
 * /sandbox/api it drives. Every fan action becomes a signed (and in safe mode encrypted) push to this
 * server's own /wechat, the path production traffic takes.
 */

export interface SimulatorOptions {
  config: Config;
  dataSource: DataSource;
  fake: FakeWechatState;
  logger: Logger;
}

const JSON_BODY_LIMIT = "16kb";
/** WeChat's limit for an image a fan sends is far larger; the fake keeps images up to 2 MiB. */
const IMAGE_LIMIT_BYTES = 2 << 20;
const IMAGE_SIGNATURES: { type: string; extension: string; matches: (data: Buffer) => boolean }[] = [
  { type: "image/png", extension: "png", matches: (d) => d.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: "image/jpeg", extension: "jpg", matches: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff },
  { type: "image/gif", extension: "gif", matches: (d) => d.subarray(0, 4).toString("latin1") === "GIF8" },
  { type: "image/webp", extension: "webp", matches: (d) => d.subarray(0, 4).toString("latin1") === "RIFF" && d.subarray(8, 12).toString("latin1") === "WEBP" },
  { type: "image/bmp", extension: "bmp", matches: (d) => d.subarray(0, 2).toString("latin1") === "BM" },
];

// The page is self-contained: everything it loads comes from here; images may come from anywhere.
const PAGE_SECURITY_POLICY = "default-src 'self'; img-src * data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function createSimulatorRouter(options: SimulatorOptions): Router {
  const { config, fake } = options;
  const fans = new SandboxFans(fake, options.dataSource);
  const timeline = new Timeline(fake);
  const sender = new CallbackSender({ token: config.wechat.token, appId: config.wechat.appId, aesKeys: config.wechat.aesKeys });
  const phone = new FanPhone(fake, fans, timeline, sender);
  const router = new Router();

  // (Koa 3's ctx.origin is the Origin request header, hence protocol + host.)
  const origins = (ctx: Context): Origins => ({ self: localUrl(ctx), public: `${ctx.protocol}://${ctx.host}` });
  const respond = async (ctx: Context, action: Promise<PushResult>) => {
    const result = await action;
    if (!result.callback.ok) options.logger.warn({ status: result.callback.status, error: result.callback.error }, "simulated push was not accepted by /wechat");
    ctx.body = result;
  };

  const asset = (path: string, type: string, body: string) =>
    router.get(path, (ctx) => {
      ctx.type = type;
      ctx.set("Cache-Control", "no-cache");
      ctx.body = body;
    });
  router.get(["/sandbox", "/sandbox/"], (ctx) => {
    ctx.type = "text/html; charset=utf-8";
    ctx.set("Cache-Control", "no-cache");
    ctx.set("Content-Security-Policy", PAGE_SECURITY_POLICY);
    ctx.body = SIMULATOR_PAGE;
  });
  asset("/sandbox/simulator.js", "application/javascript; charset=utf-8", SIMULATOR_SCRIPT);
  asset("/sandbox/simulator.css", "text/css; charset=utf-8", SIMULATOR_STYLES);

  router.get("/sandbox/api/fans", async (ctx) => {
    ctx.body = { fans: await fans.list(), safeMode: sender.safeMode };
  });

  router.post("/sandbox/api/fans", async (ctx) => {
    const { nickname } = parseInput(createFanSchema, await readJson(ctx, { limit: JSON_BODY_LIMIT }));
    ctx.status = 201;
    ctx.body = { fan: fans.create(nickname) };
  });

  router.get("/sandbox/api/menu", (ctx) => {
    const menu = currentMenu(fake);
    ctx.body = menu ? { menu } : { menu: null, message: "公众号还没有发布自定义菜单" };
  });

  router.post("/sandbox/api/fans/:openid/follow", async (ctx) => {
    await respond(ctx, phone.follow(origins(ctx), openidParam(ctx)));
  });

  router.post("/sandbox/api/fans/:openid/unfollow", async (ctx) => {
    await respond(ctx, phone.unfollow(origins(ctx), openidParam(ctx)));
  });

  router.post("/sandbox/api/fans/:openid/messages", async (ctx) => {
    const openid = openidParam(ctx);
    const message = parseInput(fanMessageSchema, await readJson(ctx, { limit: JSON_BODY_LIMIT }));
    switch (message.type) {
      case "text":
        await respond(ctx, phone.sendText(origins(ctx), openid, message.content, message.bizMsgMenuId));
        return;
      case "voice":
        await respond(ctx, phone.sendVoice(origins(ctx), openid, message.recognition));
        return;
      case "location":
        await respond(ctx, phone.sendLocation(origins(ctx), openid, message));
        return;
    }
  });

  router.post("/sandbox/api/fans/:openid/images", async (ctx) => {
    const openid = openidParam(ctx);
    await respond(ctx, phone.sendImage(origins(ctx), openid, await readImage(ctx)));
  });

  router.post("/sandbox/api/fans/:openid/menu-taps", async (ctx) => {
    const openid = openidParam(ctx);
    await respond(ctx, phone.tapMenu(origins(ctx), openid, parseInput(menuTapSchema, await readJson(ctx, { limit: JSON_BODY_LIMIT }))));
  });

  router.post("/sandbox/api/fans/:openid/scans", async (ctx) => {
    const openid = openidParam(ctx);
    await respond(ctx, phone.scan(origins(ctx), openid, parseInput(scanSchema, await readJson(ctx, { limit: JSON_BODY_LIMIT }))));
  });

  router.get("/sandbox/api/fans/:openid/timeline", async (ctx) => {
    const openid = openidParam(ctx);
    const { since } = parseInput(timelineQuerySchema, ctx.query);
    const fan = await fans.require(openid);
    ctx.body = {
      fan: fans.present(fan),
      ...timeline.since(openid, since),
      menuId: currentMenu(fake)?.menuId ?? null,
      typing: isTyping(fake, openid),
    };
  });

  return router;
}

function openidParam(ctx: Context): string {
  return parseInput(openidSchema, (ctx as Context & { params: Record<string, string> }).params.openid);
}

/**
 * This server as seen from itself: the local end of the request's own connection is, by definition, an
 * address this server listens on. Works with PORT=0 and any bind address, unlike a configured URL.
 */
function localUrl(ctx: Context): string {
  const { localAddress, localPort } = ctx.req.socket;
  if (!localAddress || !localPort) return `${ctx.protocol}://${ctx.host}`;
  const host = localAddress.startsWith("::ffff:") ? localAddress.slice(7) : localAddress.includes(":") ? `[${localAddress}]` : localAddress;
  return `http://${host}:${localPort}`;
}


/** The `image` file of a multipart upload, checked by its bytes rather than the name or type the browser gave. */
async function readImage(ctx: Context): Promise<ImageUpload> {
  if (!ctx.is("multipart/form-data")) throw new HttpError(415, "unsupported_media_type", "请用 multipart/form-data 上传图片（字段名 image）");
  let raw: Buffer;
  try {
    // Room for the multipart framing around the largest allowed image.
    raw = await getRawBody(ctx.req, { limit: IMAGE_LIMIT_BYTES + 64 * 1024, length: ctx.get("content-length") || undefined });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large") throw new HttpError(413, "image_too_large", "图片不能超过 2 MB");
    throw badRequest("body_unreadable", "图片读取失败");
  }
  // The WHATWG Response parser understands multipart/form-data, which saves a dependency.
  const form = await new Response(raw, { headers: { "content-type": ctx.get("content-type") } }).formData().catch(() => undefined);
  const file = form?.get("image");
  if (!file || typeof file === "string") throw badRequest("image_missing", "请选择要发送的图片");
  const data = Buffer.from(await file.arrayBuffer());
  if (data.length === 0) throw badRequest("image_missing", "图片是空的");
  if (data.length > IMAGE_LIMIT_BYTES) throw new HttpError(413, "image_too_large", "图片不能超过 2 MB");
  const format = IMAGE_SIGNATURES.find((signature) => signature.matches(data));
  if (!format) throw badRequest("image_unsupported", "只能发送 PNG、JPEG、GIF、WebP 或 BMP 图片");
  const baseName = (file.name || "image").replace(/\.[^.]*$/, "").slice(0, 60) || "image";
  return { contentType: format.type, fileName: `${baseName}.${format.extension}`, data };
}

/** Whether the account's latest typing indicator for this fan is still showing (WeChat shows it up to 15 s). */
function isTyping(fake: FakeWechatState, openid: string): boolean {
  let last: FakeWechatState["typingEvents"][number] | undefined;
  for (const event of fake.typingEvents) if (event.toUser === openid) last = event;
  if (!last || last.command !== "Typing") return false;
  if (fake.clock.now().getTime() - last.at.getTime() > 15_000) return false;
  // A message sent after it cancels the indicator.
  return !fake.sent.some((message) => message.toUser === openid && message.at > last.at);
}
