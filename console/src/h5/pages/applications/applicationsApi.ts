import { fanGet, fanPost, oauthStartUrl } from "../../api";

/** Shapes of the fan applications API and fans' uploads (docs/api/applications.md). */

export type ApplicationType = "new_account" | "account_change" | "meter_check";
export type ApplicationStatus = "awaiting_payment" | "submitted" | "accepted" | "processing" | "done" | "rejected";

export const APPLICATION_TYPES: { type: ApplicationType; label: string; description: string }[] = [
  { type: "new_account", label: "个人开户", description: "新房或新装水表，办理用水户号" },
  { type: "account_change", label: "户改/过户", description: "户主变更、房屋买卖过户" },
  { type: "meter_check", label: "水表校验", description: "怀疑水表计量不准，申请上门校验（服务费 25 元）" },
];

export interface ApplicationSummary {
  id: string;
  number: string;
  type: ApplicationType;
  typeLabel: string;
  status: ApplicationStatus;
  statusLabel: string;
  ownerName: string;
  customerNumber: string | null;
  area: string;
  feeFen: number;
  paid: boolean;
  createdAt: string;
}

export interface ApplicationDetail extends ApplicationSummary {
  idNumber: string;
  address: string;
  detailAddress: string;
  phone: string;
  remark: string | null;
  rejectReason: string | null;
  paidAt: string | null;
  payUrl: string | null;
  timeline: { status: ApplicationStatus; statusLabel: string; actor: string; note: string | null; at: string }[];
}

export interface ApplicationInput {
  type: ApplicationType;
  ownerName: string;
  customerNumber: string | null;
  idNumber: string;
  idFrontUploadId: string;
  idBackUploadId: string;
  area: string;
  address: string;
  detailAddress: string;
  phone: string;
  smsCode: string;
  remark: string | null;
}

export interface UploadView {
  id: string;
  kind: "image" | "voice";
  contentType: string;
  size: number;
  url: string;
}

export const applicationsApi = {
  list: async () => (await fanGet<{ applications: ApplicationSummary[] }>("/applications")).applications,
  get: async (id: string) => (await fanGet<{ application: ApplicationDetail }>(`/applications/${encodeURIComponent(id)}`)).application,
  submit: async (input: ApplicationInput) => (await fanPost<{ application: ApplicationDetail }>("/applications", input)).application,
};

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

