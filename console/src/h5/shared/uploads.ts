import { showToast, type UploaderFileListItem } from "vant";
import type { UploadView } from "../../api/applications";
import { errorMessage, oauthStartUrl } from "../api";

/** A fan's photos and voice notes (ID photos of an application, a complaint's evidence): POST /api/fan/uploads. */

const MAX_EDGE = 1600;

/**
 * A phone photo shrunk to at most 1600 px on its long edge as JPEG (a 12-megapixel photo becomes a few
 * hundred KB, under the server's 5 MB limit); files that are small already, and non-images, pass unchanged.
 */
export async function shrinkImage(file: File): Promise<Blob> {
  if (!file.type.startsWith("image/") || file.size < 800 * 1024) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ?? file;
  } catch {
    return file;
  }
}

/** Uploads one file as the request body (POST /api/fan/uploads?kind=…); the zh-CN message on failure. */
export async function uploadFile(file: File, kind: "image" | "voice"): Promise<UploadView> {
  const body = kind === "image" ? await shrinkImage(file) : file;
  const response = await fetch(`/api/fan/uploads?kind=${kind}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": body.type || "application/octet-stream", Accept: "application/json" },
    body,
  });
  if (response.status === 401) {
    location.replace(oauthStartUrl());
    throw new Error("请在微信中重新打开页面");
  }
  const payload = (await response.json().catch(() => null)) as { upload?: UploadView; error?: { code: string; message: string } } | null;
  if (!response.ok || !payload?.upload) throw new Error(payload?.error?.message ?? "上传失败，请重试");
  return payload.upload;
}

/** A van-uploader item that keeps the id of its upload once sent. */
export type UploadItem = UploaderFileListItem & { uploadId?: string };

/**
 * van-uploader's after-read: each picked file is uploaded at once, the item showing progress or failure
 * (a failed one stays in the list for the fan to delete); the form sends only the upload ids.
 */
export function uploadOnPick(kind: "image" | "voice") {
  return async (item: UploaderFileListItem | UploaderFileListItem[]): Promise<void> => {
    for (const file of (Array.isArray(item) ? item : [item]) as UploadItem[]) {
      if (!file.file) continue;
      file.status = "uploading";
      file.message = "上传中…";
      try {
        file.uploadId = (await uploadFile(file.file, kind)).id;
        file.status = "done";
        file.message = "";
      } catch (error) {
        file.status = "failed";
        file.message = "上传失败";
        showToast(errorMessage(error));
      }
    }
  };
}
