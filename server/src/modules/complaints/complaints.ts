import type { EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { Complaint, type ComplaintSource, type TranscriptLine } from "./complaint.entity";

export interface NewComplaint {
  fanOpenid: string;
  source: ComplaintSource;
  conversationId?: string | null;
  title: string;
  content: string;
  transcript?: TranscriptLine[] | null;
}

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
    createdAt: now,
    updatedAt: now,
  });
  await manager.getRepository(Complaint).insert(complaint);
  return complaint;
}

/** A fan's complaints, newest first (for the customer profile). */
export function complaintsOfFan(manager: EntityManager, fanOpenid: string, limit = 20): Promise<Complaint[]> {
  return manager.getRepository(Complaint).find({ where: { fanOpenid }, order: { createdAt: "DESC" }, take: limit });
}

export function presentComplaint(complaint: Complaint) {
  return {
    id: complaint.id,
    fanOpenid: complaint.fanOpenid,
    source: complaint.source,
    conversationId: complaint.conversationId,
    title: complaint.title,
    content: complaint.content,
    status: complaint.status,
    createdAt: complaint.createdAt.toISOString(),
    updatedAt: complaint.updatedAt.toISOString(),
  };
}
