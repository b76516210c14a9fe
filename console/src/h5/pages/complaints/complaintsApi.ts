import { fanGet, fanPost } from "../../api";
import type { UploadView } from "../applications/applicationsApi";

/** Shapes of the fan complaints API (docs/api/complaints.md). */

export type ComplaintStatus = "submitted" | "accepted" | "processing" | "replied" | "revisited" | "closed";

export interface ComplaintSummary {
  id: string;
  number: string | null;
  category: "complaint" | "suggestion";
  categoryLabel: string;
  title: string;
  status: ComplaintStatus;
  statusLabel: string;
  rating: number | null;
  createdAt: string;
}

export interface ComplaintDetail extends ComplaintSummary {
  content: string;
  location: { lat: number; lng: number; label: string | null } | null;
  customerNumber: string | null;
  photos: UploadView[];
  voice: UploadView | null;
  result: string | null;
  repliedAt: string | null;
  canRate: boolean;
  timeline: { type: string; status: ComplaintStatus; statusLabel: string; actor: string; note: string | null; at: string }[];
}

export interface ComplaintInput {
  category: "complaint" | "suggestion";
  content: string;
  photoUploadIds: string[];
  voiceUploadId: string | null;
  location: { lat: number; lng: number; label: string | null } | null;
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
