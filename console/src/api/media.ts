import { ApiClient, API_ROOT } from "./ApiClient";

export interface UploadedMedia {
  mediaId: string;
  contentType: string;
  size: number;
  expiresAt: string;
}

/** WeChat takes images up to 2 MB. */
export const IMAGE_LIMIT_BYTES = 2 * 1024 * 1024;
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/bmp"];

/**
 * Temporary WeChat media (server/src/http/console/media.ts): uploads images to send, and the address the
 * server shows any media id at (fans' pictures, voice and video; pictures agents sent) for 3 days.
 */
export class MediaApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/media`);
  }

  /** For <img>, <audio> and links: WeChat's own addresses cannot be loaded from the console. */
  fileUrl(mediaId: string): string {
    return this.url(`/${encodeURIComponent(mediaId)}`);
  }

  async uploadImage(file: File): Promise<UploadedMedia> {
    const dataBase64 = await readAsBase64(file);
    return this.post("/", { fileName: file.name || "image.png", contentType: file.type || "application/octet-stream", dataBase64 });
  }
}

function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^;]*;base64,/, ""));
    reader.onerror = () => reject(reader.error ?? new Error("读取图片失败"));
    reader.readAsDataURL(file);
  });
}

export const mediaApi = new MediaApi();
