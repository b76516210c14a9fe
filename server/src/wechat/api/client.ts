import { createHash, randomBytes } from "node:crypto";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { AccessTokenProvider } from "./accessToken";
import type { CustomMessage } from "./customMessage";
import { customMessageToWire } from "./customMessage";

export type { CustomMessage, NewsArticle } from "./customMessage";
export type { Menu, MenuButton, MenuLeafButton, MenuParentButton } from "./menu";
import { LOCAL_ERRCODE, TOKEN_ERRCODES, WechatApiError } from "./errors";
import type { WechatJson, WechatRequest } from "./http";
import { readWechatBinary, readWechatJson, requireNumber, requireString, sendWechatRequest } from "./http";
import type { Menu } from "./menu";
import { SharedCredential } from "./sharedCredential";

const OFFICIAL_QR_IMAGE_BASE = "https://mp.weixin.qq.com/cgi-bin/showqrcode";
const MAX_QR_EXPIRE_SECONDS = 2_592_000;
const MENU_NOT_FOUND = 46003;

export interface WechatApiClientOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  tokens: AccessTokenProvider;
  fetchImpl?: typeof fetch;
  /** Per request, including reading the body. Default 10 s. */
  timeoutMs?: number;
  /** Where QR images are served; the sandbox points this at its fake. Default WeChat's showqrcode. */
  qrImageBase?: string;
  /** Store, clock and logger for the JS-SDK ticket; default to the token provider's. */
  kv?: KeyValueStore;
  clock?: Clock;
  logger?: Logger;
}

export interface TemplateMessage {
  toUser: string;
  templateId: string;
  url?: string;
  /** Opens a linked mini program; WeChat prefers it over `url` when both are given. */
  miniprogram?: { appId: string; pagePath: string };
  /** Idempotency key: WeChat sends once per openid + id within 10 minutes. */
  clientMsgId?: string;
  data: Record<string, { value: string }>;
}

export interface TemporaryQrCode {
  ticket: string;
  /** The content encoded in the QR code. */
  url: string;
  expireSeconds: number;
  imageUrl: string;
}

export interface UploadedMedia {
  mediaId: string;
  /** Unix seconds; temporary media expire 3 days later. */
  createdAt: number;
}

export interface MediaFile {
  contentType: string;
  fileName?: string;
  data: Buffer;
}

export interface OAuthIdentity {
  openId: string;
  scope: string;
  unionId?: string;
  /** A virtual "snapshot mode" user: never bind it to an account. */
  isSnapshotUser: boolean;
}

export interface UserInfo {
  /** False when the fan has unfollowed; WeChat then returns little besides the openid. */
  subscribe: boolean;
  openId: string;
  nickname?: string;
  headImgUrl?: string;
  language?: string;
  /** Unix seconds of the latest follow. */
  subscribeTime?: number;
  unionId?: string;
  remark?: string;
  tagIds?: number[];
  subscribeScene?: string;
  qrSceneStr?: string;
}

export interface JsSdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

interface CallSpec {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  /** Built per attempt, since a retry needs a fresh body. */
  form?: () => FormData;
  /** False for the web OAuth endpoints, which authenticate with appid + secret instead. */
  withToken?: boolean;
}

type ResponseReader<T> = (response: Response, request: WechatRequest) => Promise<T>;

/**
 * A thin typed client for the WeChat endpoints the product uses (reference §6–12). Every request goes
 * through call(), which owns the access token, the single retry on a rejected token and error mapping.
 */
export class WechatApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly jsapiTicket: SharedCredential;

  constructor(private readonly options: WechatApiClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.clock = options.clock ?? options.tokens.clock;
    // The composition root names the logger's component; we add none so bindings do not repeat.
    this.logger = options.logger ?? options.tokens.logger;
    this.jsapiTicket = new SharedCredential({
      kv: options.kv ?? options.tokens.kv,
      cacheKey: `wechat:jsapi-ticket:${options.appId}`,
      lockKey: `wechat:jsapi-ticket-lock:${options.appId}`,
      field: "ticket",
      path: "/cgi-bin/ticket/getticket",
      clock: this.clock,
      logger: this.logger,
      fetchFresh: async () => {
        const body = await this.call({ method: "GET", path: "/cgi-bin/ticket/getticket", query: { type: "jsapi" } });
        return {
          value: requireString(body, "ticket", "/cgi-bin/ticket/getticket"),
          expiresInSeconds: requireNumber(body, "expires_in", "/cgi-bin/ticket/getticket"),
        };
      },
    });
  }

  async sendCustomMessage(message: CustomMessage): Promise<void> {
    await this.call({ method: "POST", path: "/cgi-bin/message/custom/send", json: customMessageToWire(message) });
  }

  /** Shows "typing…" to the fan for up to 15 s; sending a message cancels it. */
  async typing(toUser: string, command: "Typing" | "CancelTyping"): Promise<void> {
    await this.call({ method: "POST", path: "/cgi-bin/message/custom/typing", json: { touser: toUser, command } });
  }

  async sendTemplate(message: TemplateMessage): Promise<{ msgId: string }> {
    const path = "/cgi-bin/message/template/send";
    const body = await this.call({
      method: "POST",
      path,
      json: {
        touser: message.toUser,
        template_id: message.templateId,
        url: message.url,
        miniprogram: message.miniprogram && {
          appid: message.miniprogram.appId,
          pagepath: message.miniprogram.pagePath,
        },
        client_msg_id: message.clientMsgId,
        data: message.data,
      },
    });
    // msgid exceeds 2^53; the parser kept it as a string (see quoteLongIntegers).
    return { msgId: requireString(body, "msgid", path) };
  }

  async createMenu(menu: Menu): Promise<void> {
    await this.call({ method: "POST", path: "/cgi-bin/menu/create", json: menu });
  }

  /** The menu created through the API, or null when there is none. */
  async getMenu(): Promise<Menu | null> {
    try {
      const body = await this.call({ method: "GET", path: "/cgi-bin/menu/get" });
      // Trusted as WeChat's documented shape; it echoes what createMenu stored.
      return (body.menu as Menu | undefined) ?? null;
    } catch (error) {
      if (error instanceof WechatApiError && error.errcode === MENU_NOT_FOUND) return null;
      throw error;
    }
  }

  async deleteMenu(): Promise<void> {
    await this.call({ method: "GET", path: "/cgi-bin/menu/delete" });
  }

  /** A temporary QR code whose scan reports `sceneStr` to the callback (qrscene_<scene> on follow). */
  async createTemporaryQrCode(sceneStr: string, expireSeconds: number): Promise<TemporaryQrCode> {
    if (sceneStr.length < 1 || sceneStr.length > 64) throw new RangeError("sceneStr must be 1–64 characters");
    if (!Number.isInteger(expireSeconds) || expireSeconds < 1 || expireSeconds > MAX_QR_EXPIRE_SECONDS) {
      throw new RangeError(`expireSeconds must be an integer from 1 to ${MAX_QR_EXPIRE_SECONDS}`);
    }
    const path = "/cgi-bin/qrcode/create";
    const body = await this.call({
      method: "POST",
      path,
      json: { expire_seconds: expireSeconds, action_name: "QR_STR_SCENE", action_info: { scene: { scene_str: sceneStr } } },
    });
    const ticket = requireString(body, "ticket", path);
    const imageBase = this.options.qrImageBase ?? OFFICIAL_QR_IMAGE_BASE;
    return {
      ticket,
      url: requireString(body, "url", path),
      expireSeconds: requireNumber(body, "expire_seconds", path),
      imageUrl: `${imageBase}?ticket=${encodeURIComponent(ticket)}`,
    };
  }

  /** Uploads temporary media (kept 3 days by WeChat). */
  async uploadMedia(
    type: "image" | "voice" | "video" | "thumb",
    fileName: string,
    contentType: string,
    data: Buffer,
  ): Promise<UploadedMedia> {
    const path = "/cgi-bin/media/upload";
    const body = await this.call({
      method: "POST",
      path,
      query: { type },
      form: () => {
        const form = new FormData();
        form.append("media", new Blob([new Uint8Array(data)], { type: contentType }), fileName);
        return form;
      },
    });
    // Thumbnails come back as thumb_media_id; accept either so a change on WeChat's side does not break us.
    const idField = type === "thumb" && body.thumb_media_id !== undefined ? "thumb_media_id" : "media_id";
    const mediaId = requireString(body, idField, path);
    return { mediaId, createdAt: requireNumber(body, "created_at", path) };
  }

  /** Downloads temporary media, e.g. what a fan sent. */
  async getMedia(mediaId: string): Promise<MediaFile> {
    const path = "/cgi-bin/media/get";
    const result = await this.call({ method: "GET", path, query: { media_id: mediaId } }, readMedia);
    if ("data" in result) return result;
    // Videos come back as a download link rather than the file.
    const request: WechatRequest = { method: "GET", url: result.videoUrl, path: `${path} video_url`, timeoutMs: this.timeoutMs };
    const response = await sendWechatRequest(this.fetchImpl, request);
    return {
      contentType: response.headers.get("content-type") ?? "video/mp4",
      data: await readWechatBinary(response, request),
    };
  }

  /** Exchanges a web OAuth code (H5 page) for the fan's openid. Codes are single-use and live 5 minutes. */
  async oauthCodeToOpenId(code: string): Promise<OAuthIdentity> {
    const path = "/sns/oauth2/access_token";
    const body = await this.call({
      method: "GET",
      path,
      withToken: false,
      query: {
        appid: this.options.appId,
        secret: this.options.appSecret,
        code,
        grant_type: "authorization_code",
      },
    });
    return {
      openId: requireString(body, "openid", path),
      scope: requireString(body, "scope", path),
      unionId: optionalString(body.unionid),
      isSnapshotUser: Number(body.is_snapshotuser ?? 0) === 1,
    };
  }

  async getUserInfo(openId: string): Promise<UserInfo> {
    const path = "/cgi-bin/user/info";
    const body = await this.call({ method: "GET", path, query: { openid: openId, lang: "zh_CN" } });
    const tagIds = Array.isArray(body.tagid_list) ? body.tagid_list.map(Number) : undefined;
    return {
      subscribe: Number(body.subscribe) === 1,
      openId: requireString(body, "openid", path),
      nickname: optionalString(body.nickname),
      headImgUrl: optionalString(body.headimgurl),
      language: optionalString(body.language),
      subscribeTime: body.subscribe_time === undefined ? undefined : Number(body.subscribe_time),
      unionId: optionalString(body.unionid),
      remark: optionalString(body.remark),
      tagIds,
      subscribeScene: optionalString(body.subscribe_scene),
      qrSceneStr: optionalString(body.qr_scene_str),
    };
  }

  /** The JS-SDK ticket, shared by every instance like the access token. */
  getJsapiTicket(): Promise<string> {
    return this.jsapiTicket.get();
  }

  /** What an H5 page passes to wx.config (plus its jsApiList) for the page at `url`. */
  async jsSdkConfig(url: string): Promise<JsSdkConfig> {
    const ticket = await this.getJsapiTicket();
    const nonceStr = randomBytes(8).toString("hex");
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    return { appId: this.options.appId, timestamp, nonceStr, signature: jsSdkSignature(ticket, nonceStr, timestamp, url) };
  }

  private async call<T = WechatJson>(spec: CallSpec, read?: ResponseReader<T>): Promise<T> {
    const reader = (read ?? readWechatJson) as ResponseReader<T>;
    if (spec.withToken === false) return this.attempt(spec, undefined, reader);
    const token = await this.options.tokens.get();
    try {
      return await this.attempt(spec, token, reader);
    } catch (error) {
      if (!(error instanceof WechatApiError) || !TOKEN_ERRCODES.has(error.errcode)) throw error;
      // Another instance may have refreshed (which revokes ours), or WeChat expired it early.
      this.logger.warn({ path: spec.path, errcode: error.errcode }, "wechat access token rejected; refreshing and retrying once");
      await this.options.tokens.invalidate(token);
      return this.attempt(spec, await this.options.tokens.get(), reader);
    }
  }

  private async attempt<T>(spec: CallSpec, token: string | undefined, read: ResponseReader<T>): Promise<T> {
    const query = new URLSearchParams(spec.query);
    if (token !== undefined) query.set("access_token", token);
    const search = query.toString();
    const request: WechatRequest = {
      method: spec.method,
      url: `${this.options.apiBase}${spec.path}${search ? `?${search}` : ""}`,
      path: spec.path,
      timeoutMs: this.timeoutMs,
    };
    if (spec.json !== undefined) {
      // JSON.stringify writes non-ASCII as raw UTF-8; WeChat rejects \uXXXX escapes (40033) or shows them literally.
      request.body = JSON.stringify(spec.json);
      request.headers = { "content-type": "application/json; charset=utf-8" };
    } else if (spec.form) {
      request.body = spec.form();
    }
    const response = await sendWechatRequest(this.fetchImpl, request);
    return read(response, request);
  }
}

/**
 * The JS-SDK signature (reference §11, vectors V9): sha1 over the four fields in ASCII key order,
 * raw values without URL-encoding, and the page URL without its fragment.
 */
export function jsSdkSignature(ticket: string, nonceStr: string, timestamp: number | string, url: string): string {
  const page = url.split("#")[0];
  const text = `jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${page}`;
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** media/get answers with the file, or with JSON: an error, or a video's download link. */
async function readMedia(response: Response, request: WechatRequest): Promise<MediaFile | { videoUrl: string }> {
  const contentType = response.headers.get("content-type") ?? "application/octet-stream";
  // WeChat labels its JSON errors here as text/plain.
  if (/json|text\/plain/i.test(contentType)) {
    const body = await readWechatJson(response, request);
    if (typeof body.video_url === "string") return { videoUrl: body.video_url };
    throw new WechatApiError({
      path: request.path,
      errcode: LOCAL_ERRCODE.badResponse,
      errmsg: "JSON body without errcode or video_url",
    });
  }
  const data = await readWechatBinary(response, request);
  return { contentType, fileName: fileNameOf(response.headers.get("content-disposition")), data };
}

function fileNameOf(contentDisposition: string | null): string | undefined {
  if (!contentDisposition) return undefined;
  // RFC 6266: filename* (percent-encoded UTF-8) wins over the plain filename.
  const extended = contentDisposition.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall back to the plain name
    }
  }
  return contentDisposition.match(/filename\s*=\s*"?([^";]+)"?/i)?.[1];
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}
