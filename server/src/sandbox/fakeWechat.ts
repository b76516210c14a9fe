import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import Router from "@koa/router";
import type { RouterContext } from "@koa/router";
import getRawBody from "raw-body";
import { validateMenu } from "./fakeWechatMenu";
import { FAKE_ERRMSG, FakeWechatState } from "./fakeWechatState";
import type { FakeWechatOptions } from "./fakeWechatState";
import { startLocalServer } from "./localServer";

export { FakeWechatState } from "./fakeWechatState";
export type { FakeFan, FakeFault, FakeMedia, FakeQrCode, FakeSentMessage, FakeWechatOptions } from "./fakeWechatState";

/**
 * A stand-in for api.weixin.qq.com built from the official docs (reference §6–12): tests start it on
 * an ephemeral port, sandbox mode mounts its router under a prefix. Errors come back the way WeChat
 * sends them: HTTP 200 with {errcode, errmsg}.
 */

type Json = Record<string, unknown>;
type Handler = (ctx: RouterContext, body: Json) => Promise<Json | void> | Json | void;

/** Thrown by handlers to answer with WeChat's error body. */
class FakeError extends Error {
  constructor(readonly errcode: number) {
    super(FAKE_ERRMSG[errcode] ?? "error");
  }
}

const OK: Json = { errcode: 0, errmsg: "ok" };
const CUSTOM_MESSAGE_TYPES = new Set(["text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle", "msgmenu", "miniprogrampage", "wxcard"]);
const MEDIA_LIMITS: Record<string, number> = { image: 2 << 20, voice: 2 << 20, video: 10 << 20, thumb: 64 << 10 };
const MAX_QR_EXPIRE_SECONDS = 2_592_000;

export interface FakeWechat {
  /** Routes relative to the API root, e.g. /cgi-bin/token; mount under any prefix. */
  router: Router;
  state: FakeWechatState;
}

export function createFakeWechat(options: FakeWechatOptions): FakeWechat {
  const state = new FakeWechatState(options);
  const router = new Router();

  /** Registers a route: count, apply an injected fault, check the token, parse the body, answer. */
  const route = (method: "get" | "post", path: string, auth: boolean, handler: Handler) => {
    router[method](path, async (ctx) => {
      state.countRequest(path);
      if (await applyFault(ctx, state, path)) return;
      try {
        if (auth) {
          const errcode = state.checkToken(queryString(ctx, "access_token"));
          if (errcode) throw new FakeError(errcode);
        }
        const body = method === "post" && !ctx.is("multipart") ? await readJsonBody(ctx) : {};
        const reply = await handler(ctx, body);
        if (reply) ctx.body = reply;
      } catch (error) {
        if (!(error instanceof FakeError)) throw error;
        ctx.body = errorBody(error.errcode);
      }
    });
  };

  route("get", "/cgi-bin/token", false, (ctx) => {
    if (queryString(ctx, "grant_type") !== "client_credential") throw new FakeError(40002);
    if (queryString(ctx, "appid") !== state.appId) throw new FakeError(40013);
    if (queryString(ctx, "secret") !== state.appSecret) throw new FakeError(40125);
    const { token, expiresIn } = state.issueToken();
    return { access_token: token, expires_in: expiresIn };
  });

  route("post", "/cgi-bin/message/custom/send", true, (_ctx, body) => {
    const msgType = String(body.msgtype);
    if (!CUSTOM_MESSAGE_TYPES.has(msgType)) throw new FakeError(40008);
    const content = body[msgType];
    if (!isRecord(content)) throw new FakeError(47001);
    checkCustomContent(state, msgType, content);
    requireFollower(state, body.touser);
    state.recordCustom(body);
    return OK;
  });

  route("post", "/cgi-bin/message/custom/typing", true, (_ctx, body) => {
    requireFollower(state, body.touser);
    if (body.command !== "Typing" && body.command !== "CancelTyping") throw new FakeError(45072);
    state.recordTyping(String(body.touser), body.command);
    return OK;
  });

  route("post", "/cgi-bin/message/template/send", true, (ctx, body) => {
    if (typeof body.template_id !== "string" || body.template_id === "") throw new FakeError(40037);
    if (!isRecord(body.data)) throw new FakeError(47001);
    requireFollower(state, body.touser);
    const msgId = state.recordTemplate(body);
    // Written by hand: the msgid must be a bare number above 2^53, which JSON.stringify cannot produce.
    ctx.type = "application/json";
    ctx.body = `{"errcode":0,"errmsg":"ok","msgid":${msgId}}`;
  });

  route("post", "/cgi-bin/menu/create", true, (_ctx, body) => {
    const errcode = validateMenu(body);
    if (errcode) throw new FakeError(errcode);
    state.storeMenu(body);
    return OK;
  });

  route("get", "/cgi-bin/menu/get", true, () => {
    if (!state.menu) throw new FakeError(46003);
    return { menu: state.menu };
  });

  route("get", "/cgi-bin/menu/delete", true, () => {
    state.menu = null;
    return OK;
  });

  route("post", "/cgi-bin/qrcode/create", true, (_ctx, body) => {
    const actionName = String(body.action_name);
    const scene = isRecord(body.action_info) && isRecord(body.action_info.scene) ? body.action_info.scene : {};
    const temporary = actionName === "QR_SCENE" || actionName === "QR_STR_SCENE";
    const byString = actionName === "QR_STR_SCENE" || actionName === "QR_LIMIT_STR_SCENE";
    if (!temporary && actionName !== "QR_LIMIT_SCENE" && actionName !== "QR_LIMIT_STR_SCENE") throw new FakeError(40097);
    const sceneStr = byString ? scene.scene_str : undefined;
    const sceneId = byString ? undefined : Number(scene.scene_id);
    if (byString && (typeof sceneStr !== "string" || sceneStr.length < 1 || sceneStr.length > 64)) throw new FakeError(40097);
    if (sceneId !== undefined && (!Number.isInteger(sceneId) || sceneId === 0)) throw new FakeError(40097);
    // Temporary codes default to 60 s (current docs) and are capped at 30 days.
    const expireSeconds = temporary ? Math.min(Number(body.expire_seconds ?? 60) || 60, MAX_QR_EXPIRE_SECONDS) : undefined;
    const qrCode = state.createQrCode({ actionName, sceneStr: sceneStr as string | undefined, sceneId, expireSeconds });
    return { ticket: qrCode.ticket, ...(temporary ? { expire_seconds: expireSeconds } : {}), url: qrCode.url };
  });

  // mp.weixin.qq.com/cgi-bin/showqrcode lives on another host in production; here it sits beside the API.
  route("get", "/cgi-bin/showqrcode", false, (ctx) => {
    const qrCode = state.qrCode(queryString(ctx, "ticket") ?? "");
    if (!qrCode) {
      ctx.status = 404;
      ctx.body = "ticket not found or expired";
      return;
    }
    ctx.type = "image/svg+xml";
    ctx.body = qrImageSvg(qrCode.ticket, qrCode.sceneStr ?? String(qrCode.sceneId ?? ""));
  });

  route("post", "/cgi-bin/media/upload", true, async (ctx) => {
    const type = queryString(ctx, "type") ?? "";
    if (!(type in MEDIA_LIMITS)) throw new FakeError(40004);
    const file = await readMultipartFile(ctx, "media");
    if (!file || file.data.length === 0) throw new FakeError(41005);
    if (file.data.length > MEDIA_LIMITS[type]) throw new FakeError(45001);
    const media = state.addMedia({ type, ...file });
    const created_at = Math.floor(media.createdAt.getTime() / 1000);
    return type === "thumb"
      ? { type, thumb_media_id: media.mediaId, created_at }
      : { type, media_id: media.mediaId, created_at };
  });

  route("get", "/cgi-bin/media/get", true, (ctx) => {
    const media = state.findMedia(queryString(ctx, "media_id") ?? "");
    if (!media) {
      // WeChat labels this JSON as text/plain.
      ctx.type = "text/plain";
      ctx.body = JSON.stringify(errorBody(40007));
      return;
    }
    if (media.type === "video" && state.publicBase) return { video_url: `${state.publicBase}/fake-media/${media.mediaId}` };
    sendMedia(ctx, media);
  });

  // The download link media/get hands out for videos; like WeChat's CDN it needs no token.
  route("get", "/fake-media/:mediaId", false, (ctx) => {
    const media = state.findMedia(ctx.params.mediaId);
    if (!media) {
      ctx.status = 404;
      return;
    }
    sendMedia(ctx, media);
  });

  route("get", "/sns/oauth2/access_token", false, (ctx) => {
    if (queryString(ctx, "appid") !== state.appId) throw new FakeError(40013);
    if (queryString(ctx, "secret") !== state.appSecret) throw new FakeError(40125);
    if (queryString(ctx, "grant_type") !== "authorization_code") throw new FakeError(40002);
    const code = queryString(ctx, "code");
    if (!code) throw new FakeError(41008);
    const redeemed = state.redeemOAuthCode(code);
    if (typeof redeemed === "number") throw new FakeError(redeemed);
    const unionId = state.fans.get(redeemed.openId)?.unionId;
    return {
      access_token: `oauth-${code}`,
      expires_in: 7200,
      refresh_token: `refresh-${code}`,
      openid: redeemed.openId,
      scope: redeemed.scope,
      ...(redeemed.snapshotUser ? { is_snapshotuser: 1 } : {}),
      ...(unionId && redeemed.scope === "snsapi_userinfo" ? { unionid: unionId } : {}),
    };
  });

  route("get", "/cgi-bin/ticket/getticket", true, (ctx) => {
    if (queryString(ctx, "type") !== "jsapi") throw new FakeError(40097);
    return { ...OK, ticket: state.issueJsapiTicket(), expires_in: 7200 };
  });

  route("get", "/cgi-bin/user/info", true, (ctx) => {
    const fan = state.fans.get(queryString(ctx, "openid") ?? "");
    if (!fan) throw new FakeError(40003);
    if (!fan.subscribed) return { subscribe: 0, openid: fan.openId, ...(fan.unionId ? { unionid: fan.unionId } : {}) };
    return {
      subscribe: 1,
      openid: fan.openId,
      nickname: fan.nickname ?? "",
      language: "zh_CN",
      headimgurl: "",
      subscribe_time: fan.subscribeTime,
      ...(fan.unionId ? { unionid: fan.unionId } : {}),
      remark: fan.remark ?? "",
      groupid: 0,
      tagid_list: fan.tagIds ?? [],
      subscribe_scene: fan.qrSceneStr ? "ADD_SCENE_QR_CODE" : "ADD_SCENE_OTHERS",
      qr_scene: 0,
      qr_scene_str: fan.qrSceneStr ?? "",
    };
  });

  return { router, state };
}

/** Runs the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeWechat(
  options: FakeWechatOptions,
): Promise<{ url: string; state: FakeWechatState; close(): Promise<void> }> {
  const local = await startLocalServer();
  const fake = createFakeWechat({ publicBase: local.url, ...options });
  local.serve(fake.router);
  return { url: local.url, state: fake.state, close: local.close };
}

/** Applies the next queued fault for this path; true when the request has been answered by it. */
async function applyFault(ctx: RouterContext, state: FakeWechatState, path: string): Promise<boolean> {
  const fault = state.takeFault(path);
  if (!fault) return false;
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.dropConnection) {
    ctx.respond = false;
    ctx.req.socket.destroy();
    return true;
  }
  if (fault.httpStatus) {
    ctx.status = fault.httpStatus;
    ctx.body = `fault injected: HTTP ${fault.httpStatus}`;
    return true;
  }
  if (fault.errcode !== undefined) {
    ctx.body = { errcode: fault.errcode, errmsg: fault.errmsg ?? FAKE_ERRMSG[fault.errcode] ?? "fault injected" };
    return true;
  }
  return false;
}

async function readJsonBody(ctx: RouterContext): Promise<Json> {
  const text = await getRawBody(ctx.req, { limit: "1mb", encoding: "utf8" });
  // WeChat rejects \uXXXX escapes of non-ASCII characters (what ensure_ascii serialisers produce).
  if (/\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})/.test(text)) {
    throw new FakeError(40033);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new FakeError(47001);
}

async function readMultipartFile(
  ctx: RouterContext,
  field: string,
): Promise<{ fileName: string; contentType: string; data: Buffer } | undefined> {
  const raw = await getRawBody(ctx.req, { limit: "11mb" });
  // The WHATWG Response parser understands multipart/form-data, which saves a dependency.
  const form = await new Response(raw, { headers: { "content-type": ctx.get("content-type") } }).formData().catch(() => undefined);
  const file = form?.get(field);
  if (!file || typeof file === "string") return undefined;
  return {
    fileName: file.name,
    contentType: file.type || "application/octet-stream",
    data: Buffer.from(await file.arrayBuffer()),
  };
}

function checkCustomContent(state: FakeWechatState, msgType: string, content: Json): void {
  if (msgType === "text" && (typeof content.content !== "string" || content.content === "")) throw new FakeError(44004);
  if ((msgType === "image" || msgType === "voice" || msgType === "video") && !state.findMedia(String(content.media_id))) {
    throw new FakeError(40007);
  }
  if (msgType === "news") {
    const articles = content.articles;
    if (!Array.isArray(articles) || articles.length === 0) throw new FakeError(44003);
    if (articles.length > 1) throw new FakeError(45008);
  }
}

function requireFollower(state: FakeWechatState, openId: unknown): void {
  const errcode = state.checkFollower(openId);
  if (errcode) throw new FakeError(errcode);
}

function sendMedia(ctx: RouterContext, media: { contentType: string; fileName: string; data: Buffer }): void {
  ctx.type = media.contentType;
  // Header values must be Latin-1: a plain ASCII name plus the UTF-8 one as filename* (RFC 6266).
  const asciiName = media.fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  ctx.set("Content-Disposition", `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(media.fileName)}`);
  ctx.body = media.data;
}

function errorBody(errcode: number): Json {
  // Real errmsgs end in a request id; keeping it shows whether clients log errmsg whole.
  const rid = createHash("sha1").update(String(Math.random())).digest("hex").slice(0, 24);
  return { errcode, errmsg: `${FAKE_ERRMSG[errcode] ?? "error"} rid: ${rid}` };
}

function queryString(ctx: RouterContext, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A QR-looking image for the sandbox page: finder squares plus cells derived from the ticket, and the
 * scene in clear text. It is not a scannable QR code; the sandbox "scans" by ticket.
 */
function qrImageSvg(ticket: string, scene: string): string {
  const size = 25;
  const bits = createHash("sha512").update(ticket).digest();
  const cells: string[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const corner = (x < 8 && y < 8) || (x >= size - 8 && y < 8) || (x < 8 && y >= size - 8);
      const index = y * size + x;
      const dark = corner ? finderCell(x % (size - 7), y % (size - 7)) : ((bits[index % 64] >> (index % 8)) & 1) === 1;
      if (dark) cells.push(`<rect x="${x + 2}" y="${y + 2}" width="1" height="1"/>`);
    }
  }
  const label = scene.replace(/[<>&"]/g, "");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 33" width="290" height="330">` +
    `<rect width="29" height="33" fill="#fff"/><g fill="#000">${cells.join("")}</g>` +
    `<text x="14.5" y="31" font-size="2" text-anchor="middle" font-family="monospace">${label}</text></svg>`
  );
}

/** The 7×7 finder pattern (dark ring, light ring, dark 3×3 centre), light outside it. */
function finderCell(x: number, y: number): boolean {
  if (x > 6 || y > 6) return false;
  const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
  return ring !== 2;
}
