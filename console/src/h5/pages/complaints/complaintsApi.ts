import { fanGet, fanPost } from "../../api";
import type { ComplaintCategory, ComplaintDetail as StaffComplaintDetail, ComplaintLocation, ComplaintRow, ComplaintTimelineRow } from "../../../api/complaints";

/**
 * Shapes of the fan complaints API (docs/api/complaints.md): the staff API's shapes (type-only import)
 * narrowed to what the fan who filed the ticket sees.
 */
export type { ComplaintCategory, ComplaintStatus } from "../../../api/complaints";

export type ComplaintSummary = Pick<ComplaintRow, "id" | "number" | "category" | "categoryLabel" | "title" | "status" | "statusLabel" | "rating" | "createdAt">;

export interface ComplaintDetail
  extends ComplaintSummary,
    Pick<StaffComplaintDetail, "content" | "location" | "customerNumber" | "photos" | "voice" | "result" | "repliedAt"> {
  /** Replied and not rated yet: the page asks for a rating. */
  canRate: boolean;
  timeline: Pick<ComplaintTimelineRow, "type" | "status" | "statusLabel" | "actor" | "note" | "at">[];
}

export interface ComplaintInput {
  category: ComplaintCategory;
  content: string;
  photoUploadIds: string[];
  voiceUploadId: string | null;
  location: ComplaintLocation | null;
  accountId: string | null;
  source: "h5" | "chat_menu";
}

export const complaintsApi = {
  list: async () => (await fanGet<{ complaints: ComplaintSummary[] }>("/complaints")).complaints,
  get: async (id: string) => (await fanGet<{ complaint: ComplaintDetail }>(`/complaints/${encodeURIComponent(id)}`)).complaint,
  file: async (input: ComplaintInput) => (await fanPost<{ complaint: ComplaintDetail }>("/complaints", input)).complaint,
  rate: async (id: string, rating: number, comment: string | null) =>
    (await fanPost<{ complaint: ComplaintDetail }>(`/complaints/${encodeURIComponent(id)}/rating`, { rating, comment })).complaint,
};
