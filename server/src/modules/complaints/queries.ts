import { Between, In, IsNull, LessThan, LessThanOrEqual, MoreThanOrEqual, Not, type FindOptionsWhere } from "typeorm";
import { notFound } from "../../http/errors";
import { keysetPage } from "../../infra/db/keysetPage";
import { Agent } from "../agents/agent.entity";
import { FanUpload } from "../applications/fanUpload.entity";
import { presentUpload } from "../applications/fanUploads";
import { Fan } from "../fans/fan.entity";
import { Complaint, ComplaintEvent, type ComplaintCategory, type ComplaintSource, type ComplaintStatus } from "./complaint.entity";
import { COMPLAINT_CATEGORY_LABELS, COMPLAINT_SOURCE_LABELS, COMPLAINT_STATUS_LABELS } from "./complaints";
import type { ComplaintDeps } from "./deps";

/**
 * Reading complaints: the complaint center's list with filters and SLA ages, one ticket with attachments
 * and its full timeline for staff, and the fan's own tickets with the public part of the timeline.
 */

/** Statuses whose clock still runs: the fan has not had an answer yet. */
const AWAITING_ANSWER: ComplaintStatus[] = ["submitted", "accepted", "processing"];

export interface ComplaintFilter {
  status?: ComplaintStatus;
  category?: ComplaintCategory;
  source?: ComplaintSource;
  /** An agent id, or "none" for unassigned. */
  assignee?: string;
  from?: Date;
  to?: Date;
  overdue?: boolean;
  before?: string;
  limit: number;
}

/**
 * Everyone a ticket may be assigned to, and filtered by: all active staff whatever their chat status —
 * a ticket is back-office work, unlike a conversation transfer, which needs someone online.
 */
export async function complaintAssignees(deps: Pick<ComplaintDeps, "dataSource">) {
  const agents = await deps.dataSource.getRepository(Agent).find({ where: { deletedAt: IsNull() }, order: { name: "ASC" } });
  return agents.map((agent) => ({ id: agent.id, name: agent.name, jobNumber: agent.jobNumber, role: agent.role }));
}

/** Hours since filing until the answer (or now), and whether the answer is past the SLA. */
export function slaOf(complaint: Pick<Complaint, "createdAt" | "repliedAt" | "status">, now: Date, slaHours: number) {
  const end = complaint.repliedAt ?? (complaint.status === "closed" ? null : now);
  const ageHours = end ? Math.max(0, Math.floor((end.getTime() - complaint.createdAt.getTime()) / 3600_000)) : null;
  const dueAt = new Date(complaint.createdAt.getTime() + slaHours * 3600_000);
  const overdue = AWAITING_ANSWER.includes(complaint.status) ? now > dueAt : complaint.repliedAt !== null && complaint.repliedAt > dueAt;
  return { ageHours, dueAt: dueAt.toISOString(), overdue };
}

async function names(deps: ComplaintDeps, complaints: Complaint[]) {
  const agentIds = [...new Set(complaints.map((c) => c.assigneeId).filter((id): id is string => Boolean(id)))];
  const openids = [...new Set(complaints.map((c) => c.fanOpenid))];
  const agents = agentIds.length ? await deps.dataSource.getRepository(Agent).find({ where: { id: In(agentIds) }, select: { id: true, name: true } }) : [];
  const fans = openids.length ? await deps.dataSource.getRepository(Fan).find({ where: { openid: In(openids) }, select: { openid: true, nickname: true, remark: true } }) : [];
  return {
    agent: (id: string | null) => (id ? (agents.find((a) => a.id === id)?.name ?? null) : null),
    fan: (openid: string) => {
      const fan = fans.find((f) => f.openid === openid);
      return fan?.remark || fan?.nickname || null;
    },
  };
}

function presentRow(complaint: Complaint, now: Date, slaHours: number, lookup: Awaited<ReturnType<typeof names>>) {
  return {
    id: complaint.id,
    number: complaint.number,
    category: complaint.category,
    categoryLabel: COMPLAINT_CATEGORY_LABELS[complaint.category],
    source: complaint.source,
    sourceLabel: COMPLAINT_SOURCE_LABELS[complaint.source],
    title: complaint.title,
    status: complaint.status,
    statusLabel: COMPLAINT_STATUS_LABELS[complaint.status],
    fanOpenid: complaint.fanOpenid,
    fanName: lookup.fan(complaint.fanOpenid),
    customerNumber: complaint.customerNumber,
    assigneeId: complaint.assigneeId,
    assigneeName: lookup.agent(complaint.assigneeId),
    rating: complaint.rating,
    createdAt: complaint.createdAt.toISOString(),
    updatedAt: complaint.updatedAt.toISOString(),
    ...slaOf(complaint, now, slaHours),
  };
}

export async function listComplaints(deps: ComplaintDeps, filter: ComplaintFilter) {
  const now = deps.clock.now();
  const slaHours = await deps.settings.get("complaints.slaHours");
  const where: FindOptionsWhere<Complaint> = {};
  if (filter.status) where.status = filter.status;
  if (filter.category) where.category = filter.category;
  if (filter.source) where.source = filter.source;
  if (filter.assignee) where.assigneeId = filter.assignee === "none" ? IsNull() : filter.assignee;
  if (filter.from && filter.to) where.createdAt = Between(filter.from, filter.to);
  else if (filter.from) where.createdAt = MoreThanOrEqual(filter.from);
  else if (filter.to) where.createdAt = LessThanOrEqual(filter.to);
  if (filter.overdue) {
    // Overdue = still awaiting an answer and filed before now − SLA.
    if (!filter.status) where.status = In(AWAITING_ANSWER);
    else if (!AWAITING_ANSWER.includes(filter.status)) return { complaints: [], nextBefore: null, slaHours };
    const cutoff = new Date(now.getTime() - slaHours * 3600_000);
    const until = filter.to && filter.to < cutoff ? filter.to : cutoff;
    where.createdAt = filter.from ? Between(filter.from, until) : LessThan(until);
  }
  if (filter.before) where.id = LessThan(filter.before);
  const rows = await deps.dataSource.getRepository(Complaint).find({ where, order: { id: "DESC" }, take: filter.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, filter.limit);
  const lookup = await names(deps, page);
  return { complaints: page.map((row) => presentRow(row, now, slaHours, lookup)), nextBefore, slaHours };
}

/** Counts for the center's header: open, overdue, unassigned. */
export async function complaintCounts(deps: ComplaintDeps) {
  const now = deps.clock.now();
  const slaHours = await deps.settings.get("complaints.slaHours");
  const repo = deps.dataSource.getRepository(Complaint);
  const cutoff = new Date(now.getTime() - slaHours * 3600_000);
  return {
    open: await repo.count({ where: { status: In(AWAITING_ANSWER) } }),
    overdue: await repo.count({ where: { status: In(AWAITING_ANSWER), createdAt: LessThan(cutoff) } }),
    unassigned: await repo.count({ where: { status: Not("closed"), assigneeId: IsNull() } }),
  };
}

async function attachments(deps: ComplaintDeps, complaint: Complaint, base: string) {
  const ids = [...(complaint.photoUploadIds ?? []), ...(complaint.voiceUploadId ? [complaint.voiceUploadId] : [])];
  const uploads = ids.length ? await deps.dataSource.getRepository(FanUpload).find({ where: { id: In(ids) } }) : [];
  const present = (id: string) => {
    const upload = uploads.find((u) => u.id === id);
    return upload ? { ...presentUpload(upload), url: `${base}/${upload.id}` } : null;
  };
  return {
    photos: (complaint.photoUploadIds ?? []).map(present).filter((p) => p !== null),
    voice: complaint.voiceUploadId ? present(complaint.voiceUploadId) : null,
  };
}

function presentEvent(event: ComplaintEvent, forFan: boolean) {
  return {
    type: event.type,
    status: event.toStatus,
    statusLabel: COMPLAINT_STATUS_LABELS[event.toStatus],
    actor: forFan ? (event.actorType === "agent" ? "工作人员" : event.actorType === "fan" ? "本人" : "系统") : (event.actorName ?? (event.actorType === "fan" ? "粉丝" : "系统")),
    actorType: event.actorType,
    note: forFan && !event.isPublic ? null : event.note,
    isPublic: event.isPublic,
    at: event.at.toISOString(),
  };
}

export async function complaintForStaff(deps: ComplaintDeps, id: string) {
  const complaint = await deps.dataSource.getRepository(Complaint).findOneBy({ id });
  if (!complaint) throw notFound("工单不存在");
  const now = deps.clock.now();
  const slaHours = await deps.settings.get("complaints.slaHours");
  const lookup = await names(deps, [complaint]);
  const events = await deps.dataSource.getRepository(ComplaintEvent).find({ where: { complaintId: id }, order: { at: "ASC", id: "ASC" } });
  return {
    ...presentRow(complaint, now, slaHours, lookup),
    content: complaint.content,
    conversationId: complaint.conversationId,
    transcript: complaint.transcript,
    location: complaint.location,
    ...(await attachments(deps, complaint, "/api/console/uploads")),
    result: complaint.result,
    repliedAt: complaint.repliedAt?.toISOString() ?? null,
    ratingBy: complaint.ratingBy,
    revisitNote: complaint.revisitNote,
    revisitedAt: complaint.revisitedAt?.toISOString() ?? null,
    acceptedAt: complaint.acceptedAt?.toISOString() ?? null,
    closedAt: complaint.closedAt?.toISOString() ?? null,
    timeline: events.map((event) => presentEvent(event, false)),
  };
}

function presentForFan(complaint: Complaint) {
  return {
    id: complaint.id,
    number: complaint.number,
    category: complaint.category,
    categoryLabel: COMPLAINT_CATEGORY_LABELS[complaint.category],
    title: complaint.title,
    status: complaint.status,
    statusLabel: COMPLAINT_STATUS_LABELS[complaint.status],
    rating: complaint.rating,
    createdAt: complaint.createdAt.toISOString(),
    updatedAt: complaint.updatedAt.toISOString(),
  };
}

export async function complaintsForFan(deps: ComplaintDeps, openid: string) {
  const rows = await deps.dataSource.getRepository(Complaint).find({ where: { fanOpenid: openid }, order: { createdAt: "DESC" }, take: 50 });
  return rows.map(presentForFan);
}

/** The fan's own ticket (another fan's id is 404) with the public timeline; the transcript stays internal. */
export async function complaintForFan(deps: ComplaintDeps, openid: string, id: string) {
  const complaint = await deps.dataSource.getRepository(Complaint).findOneBy({ id, fanOpenid: openid });
  if (!complaint) throw notFound("工单不存在");
  const events = await deps.dataSource.getRepository(ComplaintEvent).find({ where: { complaintId: id }, order: { at: "ASC", id: "ASC" } });
  return {
    ...presentForFan(complaint),
    content: complaint.content,
    location: complaint.location,
    customerNumber: complaint.customerNumber,
    ...(await attachments(deps, complaint, "/api/fan/uploads")),
    result: complaint.result,
    repliedAt: complaint.repliedAt?.toISOString() ?? null,
    canRate: complaint.status === "replied" && complaint.rating === null,
    timeline: events.filter((event) => event.isPublic || event.type !== "note").map((event) => presentEvent(event, true)),
  };
}
