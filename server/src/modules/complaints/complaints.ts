import type { EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { ticketNumber } from "../applications/fanNotice";
import { isDuplicateKey } from "../conversations/db";
import {
  Complaint,
  ComplaintEvent,
  type ComplaintCategory,
  type ComplaintEventType,
  type ComplaintLocation,
  type ComplaintSource,
  type ComplaintStatus,
  type TranscriptLine,
} from "./complaint.entity";

export interface NewComplaint {
  fanOpenid: string;
  source: ComplaintSource;
  conversationId?: string | null;
  title: string;
  content: string;
  transcript?: TranscriptLine[] | null;
  category?: ComplaintCategory;
  photoUploadIds?: string[] | null;
  voiceUploadId?: string | null;
  location?: ComplaintLocation | null;
  customerNumber?: string | null;
  /** Who filed it (the agent who turned a conversation into it); the fan otherwise. */
  filedBy?: { type: "fan" | "agent" | "system"; id: string | null; name: string | null };
}

export const COMPLAINT_STATUS_LABELS: Record<ComplaintStatus, string> = {
  submitted: "已提交",
  accepted: "已受理",
  processing: "处理中",
  replied: "已答复",
  revisited: "已回访",
  closed: "已关闭",
};
export const COMPLAINT_CATEGORY_LABELS: Record<ComplaintCategory, string> = { complaint: "投诉", suggestion: "建议" };
export const COMPLAINT_SOURCE_LABELS: Record<ComplaintSource, string> = { conversation: "客服会话", h5: "微信网页", chat_menu: "公众号菜单" };

/** Files a complaint ticket inside the caller's transaction (e.g. the close that turned a conversation into it). */
export async function createComplaint(manager: EntityManager, input: NewComplaint, clock: Clock): Promise<Complaint> {
  const now = clock.now();
  const complaint = manager.getRepository(Complaint).create({
    id: newId(),
    fanOpenid: input.fanOpenid,
    source: input.source,
    conversationId: input.conversationId ?? null,
    title: input.title.slice(0, 100),
    content: input.content,
    transcript: input.transcript ?? null,
    status: "submitted",
    number: null,
    category: input.category ?? "complaint",
    assigneeId: null,
    photoUploadIds: input.photoUploadIds?.length ? input.photoUploadIds : null,
    voiceUploadId: input.voiceUploadId ?? null,
    location: input.location ?? null,
    customerNumber: input.customerNumber ?? null,
    result: null,
    repliedAt: null,
    rating: null,
    ratingBy: null,
    revisitNote: null,
    revisitedAt: null,
    acceptedAt: null,
    closedAt: null,
    version: 0,
    createdAt: now,
    updatedAt: now,
  });
  for (let attempt = 1; ; attempt++) {
    complaint.number = ticketNumber("TS", now);
    try {
      await manager.getRepository(Complaint).insert(complaint);
      break;
    } catch (error) {
      if (attempt >= 5 || !isDuplicateKey(error, { mysql: "ux_complaint_number", sqlite: "complaint.number" })) throw error;
    }
  }
  const filedBy = input.filedBy ?? { type: input.source === "conversation" ? "system" : "fan", id: input.source === "conversation" ? null : input.fanOpenid, name: null };
  await addComplaintEvent(manager, clock, complaint, "created", null, "submitted", filedBy, null, true);
  return complaint;
}

export async function addComplaintEvent(
  manager: EntityManager,
  clock: Clock,
  complaint: Pick<Complaint, "id">,
  type: ComplaintEventType,
  from: ComplaintStatus | null,
  to: ComplaintStatus,
  actor: { type: "fan" | "agent" | "system"; id: string | null; name: string | null },
  note: string | null,
  isPublic: boolean,
): Promise<void> {
  await manager.getRepository(ComplaintEvent).insert({
    id: newId(),
    complaintId: complaint.id,
    type,
    fromStatus: from,
    toStatus: to,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    note,
    isPublic,
    at: clock.now(),
  });
}

/** A fan's complaints, newest first (for the customer profile). */
export function complaintsOfFan(manager: EntityManager, fanOpenid: string, limit = 20): Promise<Complaint[]> {
  return manager.getRepository(Complaint).find({ where: { fanOpenid }, order: { createdAt: "DESC" }, take: limit });
}

export function presentComplaint(complaint: Complaint) {
  return {
    id: complaint.id,
    number: complaint.number,
    fanOpenid: complaint.fanOpenid,
    source: complaint.source,
    category: complaint.category,
    conversationId: complaint.conversationId,
    title: complaint.title,
    content: complaint.content,
    status: complaint.status,
    statusLabel: COMPLAINT_STATUS_LABELS[complaint.status],
    assigneeId: complaint.assigneeId,
    rating: complaint.rating,
    createdAt: complaint.createdAt.toISOString(),
    updatedAt: complaint.updatedAt.toISOString(),
  };
}
