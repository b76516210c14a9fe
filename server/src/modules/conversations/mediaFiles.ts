import { HttpError, notFound } from "../../http/errors";
import type { Logger } from "../../infra/logger";
import type { MediaFile, WechatApiClient } from "../../wechat/api/client";
import { LOCAL_ERRCODE, WechatApiError } from "../../wechat/api/errors";

/**
 * Temporary WeChat media shown in the console: fans' pictures, voice and video, and the pictures agents
 * sent. Browsers cannot load them from WeChat (picUrl refuses other sites' pages, media/get needs the
 * access token), so the server fetches them with media/get and hands them on.
 */

/** WeChat's media ids are URL-safe tokens (letters, digits, _ and -); anything else is not one. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** WeChat answers media/get for an unknown or expired id with this. */
const INVALID_MEDIA_ID = 40007;

export const MEDIA_EXPIRED_MESSAGE = "媒体文件已过期或不存在（微信临时素材只保留 3 天）";

export function isMediaId(value: string | undefined): value is string {
  return typeof value === "string" && MEDIA_ID.test(value);
}

/**
 * Only media types are passed on as they came; anything else (an HTML error page from a proxy, say) is
 * served as a download, so our origin never renders a document WeChat handed us.
 */
export function safeMediaType(contentType: string): string {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return /^(image|audio|video)\/[a-z0-9.+-]+$/.test(type) && type !== "image/svg+xml" ? type : "application/octet-stream";
}

/**
 * A small per-instance cache, least recently used out first: an agent, their supervisor and a reload
 * all show the same picture, and media/get counts against WeChat's daily quota. A media id's bytes
 * never change, so entries need no expiry; big files (videos) are not kept.
 */
export class MediaCache {
  private readonly entries = new Map<string, MediaFile>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 16 * 1024 * 1024,
    private readonly maxEntryBytes = 2 * 1024 * 1024,
  ) {}

  get(mediaId: string): MediaFile | undefined {
    const file = this.entries.get(mediaId);
    if (file) {
      this.entries.delete(mediaId);
      this.entries.set(mediaId, file);
    }
    return file;
  }

  set(mediaId: string, file: MediaFile): void {
    if (file.data.length > this.maxEntryBytes) return;
    this.delete(mediaId);
    this.entries.set(mediaId, file);
    this.bytes += file.data.length;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(mediaId: string): void {
    const file = this.entries.get(mediaId);
    if (!file) return;
    this.entries.delete(mediaId);
    this.bytes -= file.data.length;
  }
}

/** The media file, from the cache or WeChat: a malformed id → 404, an unknown or expired one → 404 media_expired, other failures → 502. */
export async function loadMedia(deps: { wechat: WechatApiClient; logger: Logger; cache: MediaCache }, mediaId: string): Promise<MediaFile> {
  if (!isMediaId(mediaId)) throw notFound("媒体文件不存在");
  const cached = deps.cache.get(mediaId);
  if (cached) return cached;
  let file: MediaFile;
  try {
    file = await deps.wechat.getMedia(mediaId);
  } catch (error) {
    if (!(error instanceof WechatApiError)) throw error;
    // A video's download link that is gone answers 404 rather than 40007.
    const gone = error.errcode === INVALID_MEDIA_ID || (error.errcode === LOCAL_ERRCODE.badResponse && error.httpStatus === 404);
    if (gone) throw new HttpError(404, "media_expired", MEDIA_EXPIRED_MESSAGE);
    deps.logger.warn({ errcode: error.errcode, errmsg: error.errmsg, mediaId }, "media download from WeChat failed");
    throw new HttpError(502, "wechat_media_failed", `从微信获取媒体文件失败（${error.errcode}），请稍后重试`);
  }
  deps.cache.set(mediaId, file);
  return file;
}
