import { ApiClient, API_ROOT } from "./ApiClient";
import type { NoticeKind, OutageType } from "./noticeLabels";

export { NOTICE_KIND_LABEL, OUTAGE_TYPE_LABEL, type NoticeKind, type OutageType } from "./noticeLabels";

export type NoticeStatus = "draft" | "published" | "unpublished";
export type NoticeState = "draft" | "scheduled" | "live" | "expired" | "unpublished";
export type NoticeEntryKind = "text" | "image" | "video";

export const NOTICE_STATE_LABEL: Record<NoticeState, string> = { draft: "草稿", scheduled: "待生效", live: "已发布", expired: "已过期", unpublished: "已下线" };
export const ENTRY_KIND_LABEL: Record<NoticeEntryKind, string> = { text: "文字", image: "图片", video: "视频" };

export interface AdminNotice {
  id: string;
  kind: NoticeKind;
  outageType: OutageType | null;
  title: string;
  content: string;
  areas: string[];
  startsAt: string | null;
  endsAt: string | null;
  status: NoticeStatus;
  state: NoticeState;
  publishFrom: string | null;
  publishUntil: string | null;
  firstPublishedAt: string | null;
  notifiedAt: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface NoticeEntry {
  id: string;
  kind: NoticeEntryKind;
  text: string | null;
  mediaUrl: string | null;
  happenedAt: string;
}

export interface NoticeDetail {
  notice: AdminNotice;
  /** Newest first. */
  entries: NoticeEntry[];
  notifiedFans: number;
}

export interface NotificationReport {
  notifiedFans: number;
  skipped?: "no_template";
  alreadyPublished?: boolean;
}

export interface NoticeInput {
  kind: NoticeKind;
  outageType?: OutageType | null;
  title: string;
  content: string;
  areas?: string[];
  startsAt?: string | null;
  endsAt?: string | null;
  publishFrom?: string | null;
  publishUntil?: string | null;
}

export interface EntryInput {
  kind: NoticeEntryKind;
  text?: string | null;
  mediaUrl?: string | null;
  happenedAt?: string | null;
}

export interface NoticeListQuery {
  kind?: NoticeKind | "";
  status?: NoticeStatus | "";
  q?: string;
  page: number;
  pageSize: number;
}

export interface OutageTemplateSettings {
  outageTemplateId: string;
  effectiveTemplateId?: string | null;
  areaKey: string;
  startKey: string;
  endKey: string;
  reasonKey: string;
}

/** Console: notices (server/src/http/console/notices.ts, docs/api/notices.md). */
export class NoticesApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/notices`);
  }

  list(query: NoticeListQuery): Promise<{ notices: AdminNotice[]; total: number; page: number; pageSize: number }> {
    return this.get("/", { ...query });
  }

  detail(id: string): Promise<NoticeDetail> {
    return this.get(`/${id}`);
  }

  async areas(): Promise<string[]> {
    return (await this.get<{ areas: string[] }>("/areas")).areas;
  }

  create(input: NoticeInput): Promise<NoticeDetail> {
    return this.post("/", input);
  }

  update(id: string, input: NoticeInput): Promise<NoticeDetail & { notification: NotificationReport | null }> {
    return this.put(`/${id}`, input);
  }

  publish(id: string): Promise<NoticeDetail & { notification: NotificationReport }> {
    return this.post(`/${id}/publish`);
  }

  unpublish(id: string): Promise<NoticeDetail> {
    return this.post(`/${id}/unpublish`);
  }

  addEntry(id: string, input: EntryInput): Promise<NoticeDetail> {
    return this.post(`/${id}/entries`, input);
  }

  removeEntry(id: string, entryId: string): Promise<NoticeDetail> {
    return this.delete(`/${id}/entries/${entryId}`);
  }

  /** Uploads a timeline photo (≤ 2 MB); the answer's url goes into an entry's mediaUrl. */
  uploadPhoto(fileName: string, dataBase64: string): Promise<{ mediaId: string; url: string; contentType: string; size: number }> {
    return this.post("/media", { fileName, dataBase64 });
  }

  settings(): Promise<OutageTemplateSettings> {
    return this.get("/settings");
  }

  saveSettings(input: OutageTemplateSettings): Promise<OutageTemplateSettings> {
    return this.put("/settings", input);
  }
}

export const noticesApi = new NoticesApi();
