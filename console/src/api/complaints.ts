import { ApiClient, API_ROOT } from "./ApiClient";
import type { UploadView } from "./applications";

export type ComplaintStatus = "submitted" | "accepted" | "processing" | "replied" | "revisited" | "closed";
export type ComplaintCategory = "complaint" | "suggestion";
export type ComplaintSource = "conversation" | "h5" | "chat_menu";

/** Where the fan says the problem is (WeChat's location, GCJ-02). */
export interface ComplaintLocation {
  lat: number;
  lng: number;
  label: string | null;
}

export interface ComplaintRow {
  id: string;
  number: string | null;
  category: ComplaintCategory;
  categoryLabel: string;
  source: ComplaintSource;
  sourceLabel: string;
  title: string;
  status: ComplaintStatus;
  statusLabel: string;
  fanOpenid: string;
  fanName: string | null;
  customerNumber: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  rating: number | null;
  createdAt: string;
  updatedAt: string;
  /** Hours from filing to the reply (or now); null for a ticket closed without a reply. */
  ageHours: number | null;
  dueAt: string;
  overdue: boolean;
}

export interface ComplaintTimelineRow {
  type: "created" | "accepted" | "assigned" | "note" | "replied" | "revisited" | "closed";
  status: ComplaintStatus;
  statusLabel: string;
  actor: string;
  actorType: "fan" | "agent" | "system";
  note: string | null;
  isPublic: boolean;
  at: string;
}

export interface TranscriptLine {
  at: string;
  direction: "in" | "out" | "system";
  speaker: string;
  kind: string;
  content: string | null;
}

export interface ComplaintDetail extends ComplaintRow {
  content: string;
  conversationId: string | null;
  transcript: TranscriptLine[] | null;
  location: ComplaintLocation | null;
  photos: UploadView[];
  voice: UploadView | null;
  result: string | null;
  repliedAt: string | null;
  ratingBy: "fan" | "staff" | null;
  revisitNote: string | null;
  revisitedAt: string | null;
  acceptedAt: string | null;
  closedAt: string | null;
  timeline: ComplaintTimelineRow[];
}

export interface ComplaintFilter {
  status?: ComplaintStatus;
  category?: ComplaintCategory;
  source?: ComplaintSource;
  /** An agent id, "me" or "none". */
  assignee?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
  before?: string;
  limit?: number;
}

/** A staff member a ticket may be assigned to (any chat status). */
export interface ComplaintAssignee {
  id: string;
  name: string;
  jobNumber: string;
  role: "agent" | "supervisor" | "admin";
}

export interface ComplaintPage {
  complaints: ComplaintRow[];
  nextBefore: string | null;
  slaHours: number;
  counts: { open: number; overdue: number; unassigned: number };
  serverTime: string;
}

/** 投诉建议 — the complaint center (server/src/http/console/complaints.ts). */
export class ComplaintsApi extends ApiClient {
  constructor() {
    super(API_ROOT);
  }

  list(filter: ComplaintFilter): Promise<ComplaintPage> {
    return this.get("/complaints", { ...filter, overdue: filter.overdue ? 1 : undefined });
  }

  /** Everyone a ticket may be assigned to, online or not. */
  async assignees(): Promise<ComplaintAssignee[]> {
    return (await this.get<{ agents: ComplaintAssignee[] }>("/complaints/assignees")).agents;
  }

  private async command(id: string, action: string, body: unknown): Promise<ComplaintDetail> {
    return (await this.post<{ complaint: ComplaintDetail }>(`/complaints/${id}/${action}`, body)).complaint;
  }

  async detail(id: string): Promise<ComplaintDetail> {
    return (await this.get<{ complaint: ComplaintDetail }>(`/complaints/${id}`)).complaint;
  }

  accept(id: string, assigneeId: string | null = null) {
    return this.command(id, "accept", { assigneeId });
  }

  assign(id: string, assigneeId: string) {
    return this.command(id, "assign", { assigneeId });
  }

  note(id: string, note: string, isPublic: boolean) {
    return this.command(id, "notes", { note, public: isPublic });
  }

  reply(id: string, result: string) {
    return this.command(id, "reply", { result });
  }

  revisit(id: string, rating: number, note: string | null) {
    return this.command(id, "revisit", { rating, note });
  }

  close(id: string, note: string | null) {
    return this.command(id, "close", { note });
  }

  /** 转投诉: turns a conversation (the agent's own, or any for a supervisor) into a ticket with its transcript. */
  async fromConversation(conversationId: string, input: { category?: ComplaintCategory; title?: string; content?: string } = {}): Promise<ComplaintDetail> {
    return (await this.post<{ complaint: ComplaintDetail }>(`/conversations/${conversationId}/complaint`, input)).complaint;
  }
}

export const complaintsApi = new ComplaintsApi();
