import type { DataSource, EntityManager } from "typeorm";
import { In, IsNull } from "typeorm";
import { badRequest, HttpError, notFound } from "../../http/errors";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import { chinaDay } from "../water/tariff";
import { FanUpload, type FanUploadKind } from "./fanUpload.entity";

/**
 * Fans' H5 uploads (ID photos, complaint photos, voice notes). The type is judged by the file's first bytes,
 * not by what the browser claims, so an HTML page renamed .jpg is refused and never served from our origin.
 * Limits: images 5 MB (the H5 page shrinks photos before sending), voice 2 MB, 60 files a day per fan.
 */

export const UPLOAD_LIMITS: Record<FanUploadKind, number> = { image: 5 * 1024 * 1024, voice: 2 * 1024 * 1024 };
export const UPLOADS_PER_DAY = 60;

/** The content type of known image/voice formats by their magic bytes; null for anything else. */
export function sniffUpload(data: Buffer): { kind: FanUploadKind; contentType: string } | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { kind: "image", contentType: "image/jpeg" };
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { kind: "image", contentType: "image/png" };
  if (data.length >= 12 && data.toString("latin1", 0, 4) === "RIFF" && data.toString("latin1", 8, 12) === "WEBP") return { kind: "image", contentType: "image/webp" };
  if (data.length >= 6 && data.toString("latin1", 0, 6) === "#!AMR\n") return { kind: "voice", contentType: "audio/amr" };
  if (data.length >= 3 && data.toString("latin1", 0, 3) === "ID3") return { kind: "voice", contentType: "audio/mpeg" };
  // An MPEG audio frame header without ID3 tags: 11 sync bits.
  if (data.length >= 2 && data[0] === 0xff && (data[1] & 0xe0) === 0xe0) return { kind: "voice", contentType: "audio/mpeg" };
  // ISO base media (m4a): "ftyp" at offset 4 with an audio brand.
  if (data.length >= 12 && data.toString("latin1", 4, 8) === "ftyp" && /^(M4A |M4B |mp42|isom|dash)$/.test(data.toString("latin1", 8, 12))) {
    return { kind: "voice", contentType: "audio/mp4" };
  }
  return null;
}

export function presentUpload(upload: Pick<FanUpload, "id" | "kind" | "contentType" | "sizeBytes" | "createdAt">) {
  return { id: upload.id, kind: upload.kind, contentType: upload.contentType, size: upload.sizeBytes, url: `/api/fan/uploads/${upload.id}`, createdAt: upload.createdAt.toISOString() };
}

export class FanUploads {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
  ) {}

  /** Stores a fan's file after checking its real type, the expected kind and the size limit. */
  async store(openid: string, data: Buffer, expected?: FanUploadKind): Promise<FanUpload> {
    if (data.length === 0) throw badRequest("upload_empty", "文件是空的");
    const sniffed = sniffUpload(data);
    if (!sniffed) throw new HttpError(415, "upload_type", "只支持 JPG、PNG、WebP 图片和 AMR、MP3、M4A 录音");
    if (expected && sniffed.kind !== expected) throw new HttpError(415, "upload_type", expected === "image" ? "请上传 JPG、PNG 或 WebP 图片" : "请上传 AMR、MP3 或 M4A 录音");
    if (data.length > UPLOAD_LIMITS[sniffed.kind]) throw new HttpError(413, "upload_too_large", sniffed.kind === "image" ? "图片不能超过 5 MB" : "录音不能超过 2 MB");
    const dayKey = `uploads:day:${openid}:${chinaDay(this.clock.now())}`;
    if ((await this.kv.increment(dayKey, 1, 25 * 3600_000)) > UPLOADS_PER_DAY) {
      await this.kv.increment(dayKey, -1, 25 * 3600_000);
      throw new HttpError(429, "upload_daily_limit", "今日上传文件数已达上限，请明天再试");
    }
    const upload = this.dataSource.getRepository(FanUpload).create({
      id: newId(),
      fanOpenid: openid,
      kind: sniffed.kind,
      contentType: sniffed.contentType,
      sizeBytes: data.length,
      data,
      attachedTo: null,
      createdAt: this.clock.now(),
    });
    await this.dataSource.getRepository(FanUpload).insert(upload);
    return upload;
  }

  /** The file with its bytes if `may` allows the caller to read it; otherwise 404 (never 403: ids are not revealed). */
  async read(id: string, may: (upload: FanUpload) => boolean): Promise<FanUpload> {
    const upload = await this.dataSource
      .getRepository(FanUpload)
      .createQueryBuilder("upload")
      .addSelect("upload.data")
      .where("upload.id = :id", { id })
      .getOne();
    if (!upload || !may(upload)) throw notFound("文件不存在");
    return upload;
  }
}

/**
 * Attaches the fan's unattached uploads to an application or complaint inside its transaction. Each id must
 * be the fan's own, of the expected kind, and not used elsewhere; otherwise 400 naming the field.
 */
export async function attachUploads(
  manager: EntityManager,
  openid: string,
  ids: string[],
  kind: FanUploadKind,
  attachedTo: string,
  label: string,
): Promise<void> {
  const unique = await checkUploads(manager, openid, ids, kind, label);
  if (unique.length === 0) return;
  const result = await manager.getRepository(FanUpload).update({ id: In(unique), attachedTo: IsNull() }, { attachedTo });
  if (result.affected !== unique.length) throw badRequest("upload_used", `${label}已被使用，请重新上传`);
}

/** Checks (without attaching) that the ids are the fan's own unused uploads of the kind; the ids, deduplicated. */
export async function checkUploads(manager: EntityManager, openid: string, ids: string[], kind: FanUploadKind, label: string): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return unique;
  if (unique.length !== ids.length) throw badRequest("upload_duplicate", `${label}重复`);
  const found = await manager.getRepository(FanUpload).find({ where: { id: In(unique), fanOpenid: openid, kind } });
  if (found.length !== unique.length) throw badRequest("upload_invalid", `${label}无效，请重新上传`);
  if (found.some((upload) => upload.attachedTo !== null)) throw badRequest("upload_used", `${label}已被使用，请重新上传`);
  return unique;
}
