import { badRequest, HttpError, notFound } from "../../http/errors";
import type { ConsoleActor } from "../../http/console/auth";
import { newId } from "../../infra/ids";
import type { NoticesDeps } from "./deps";
import { NoticeMedia } from "./notice.entity";

/**
 * Photos for repair timelines, uploaded by admins and served publicly at MEDIA_PATH/<id>. Kept in the
 * database (not on one instance's disk, and not as WeChat temporary media, which expires in 3 days).
 * Videos are linked by URL: they are too big for a JSON upload and a database row.
 */

export const NOTICE_MEDIA_PATH = "/api/fan/notices/media";
export const NOTICE_PHOTO_LIMIT_BYTES = 2 * 1024 * 1024;

/** Formats recognised by their first bytes, never by the name or type the browser gave. */
const PHOTO_FORMATS = [
  { type: "image/jpeg", matches: (b: Buffer) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "image/png", matches: (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: "image/gif", matches: (b: Buffer) => b.subarray(0, 4).toString("latin1") === "GIF8" },
  { type: "image/webp", matches: (b: Buffer) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP" },
];

export function photoType(data: Buffer): string | null {
  return PHOTO_FORMATS.find((format) => format.matches(data))?.type ?? null;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** True for the path of a photo we serve (what an uploaded photo's timeline entry stores as its mediaUrl). */
export function isOwnMediaPath(value: string): boolean {
  return new RegExp(`^${NOTICE_MEDIA_PATH}/${UUID}$`).test(value);
}

export async function storePhoto(deps: NoticesDeps, actor: ConsoleActor, dataBase64: string) {
  const base64 = dataBase64.replace(/^data:[^;]*;base64,/, "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw badRequest("invalid_image", "图片内容不是合法的 Base64");
  const data = Buffer.from(base64, "base64");
  if (data.length === 0) throw badRequest("invalid_image", "图片是空的");
  if (data.length > NOTICE_PHOTO_LIMIT_BYTES) throw new HttpError(413, "image_too_large", "图片不能超过 2 MB");
  const contentType = photoType(data);
  if (!contentType) throw badRequest("image_unsupported", "只能上传 JPG、PNG、GIF 或 WebP 图片");
  const id = newId();
  await deps.dataSource.getRepository(NoticeMedia).insert({ id, contentType, sizeBytes: data.length, data, createdBy: actor.id, createdAt: deps.clock.now() });
  return { mediaId: id, url: `${NOTICE_MEDIA_PATH}/${id}`, contentType, size: data.length };
}

export async function readPhoto(deps: NoticesDeps, id: string): Promise<{ contentType: string; data: Buffer }> {
  const media = await deps.dataSource
    .getRepository(NoticeMedia)
    .createQueryBuilder("m")
    .select(["m.id", "m.contentType"])
    .addSelect("m.data")
    .where("m.id = :id", { id })
    .getOne();
  if (!media) throw notFound("图片不存在");
  return { contentType: media.contentType, data: Buffer.isBuffer(media.data) ? media.data : Buffer.from(media.data) };
}
