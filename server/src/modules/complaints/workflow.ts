import type { EntityManager } from "typeorm";
import { IsNull } from "typeorm";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { badRequest, conflict, forbidden, notFound } from "../../http/errors";
import { Agent } from "../agents/agent.entity";
import { attachUploads, checkUploads } from "../applications/fanUploads";
import { notifyFan } from "../applications/fanNotice";
import { templateTime } from "../water/templateValues";
import { withTransaction } from "../conversations/db";
import { h5Link } from "../water/billChat";
import { WaterBinding } from "../water/binding.entity";
import { characterString, thing } from "../water/templateValues";
import { Complaint, type ComplaintCategory, type ComplaintEventType, type ComplaintLocation, type ComplaintStatus } from "./complaint.entity";
import { addComplaintEvent, COMPLAINT_STATUS_LABELS, createComplaint } from "./complaints";
import type { ComplaintDeps } from "./deps";

/**
 * The complaint center's workflow. Each command is one transaction: load, authorize, check the move is
 * legal (else 409 with the current status), one conditional update on status + version, one timeline row,
 * and for the result a notice to the fan through the outbox.
 *
 *   accept   submitted → accepted                      supervisor+ (takes it, or assigns it on the way)
 *   assign   submitted/accepted/processing → same (submitted → accepted)   supervisor+
 *   note     accepted/processing → processing           the assignee or supervisor+
 *   reply    accepted/processing → replied (fan notified)   the assignee or supervisor+
 *   revisit  replied → revisited with rating 1–5         the assignee or supervisor+ (or the fan on H5)
 *   close    replied/revisited → closed; any open one with a reason   supervisor+
 */

const OPEN: ComplaintStatus[] = ["submitted", "accepted", "processing"];

type Actor = { type: "fan" | "agent" | "system"; id: string | null; name: string | null };
const staff = (actor: ConsoleActor): Actor => ({ type: "agent", id: actor.id, name: actor.name });

async function load(manager: EntityManager, id: string): Promise<Complaint> {
  const complaint = await manager.getRepository(Complaint).findOneBy({ id });
  if (!complaint) throw notFound("工单不存在");
  return complaint;
}

function illegal(complaint: Complaint, action: string) {
  return conflict("illegal_transition", `工单当前为“${COMPLAINT_STATUS_LABELS[complaint.status]}”，不能${action}`);
}

function requireHandler(actor: ConsoleActor, complaint: Complaint) {
  if (complaint.assigneeId !== actor.id && !isAtLeast(actor, "supervisor")) throw forbidden("只有处理人或组长可以操作该工单");
}

async function move(
  deps: ComplaintDeps,
  manager: EntityManager,
  complaint: Complaint,
  changes: Partial<Complaint>,
  event: { type: ComplaintEventType; actor: Actor; note: string | null; isPublic: boolean },
): Promise<void> {
  const now = deps.clock.now();
  const to = changes.status ?? complaint.status;
  const result = await manager
    .getRepository(Complaint)
    .update({ id: complaint.id, status: complaint.status, version: complaint.version }, { ...changes, updatedAt: now, version: () => "version + 1" });
  if (!result.affected) throw conflict("complaint_changed", "工单已被他人更新，请刷新后重试");
  await addComplaintEvent(manager, deps.clock, complaint, event.type, complaint.status, to, event.actor, event.note, event.isPublic);
}

async function command(deps: ComplaintDeps, id: string, work: (manager: EntityManager, complaint: Complaint) => Promise<void>): Promise<void> {
  await withTransaction(deps.dataSource, async (manager) => work(manager, await load(manager, id)));
}

async function activeAgent(manager: EntityManager, agentId: string): Promise<Agent> {
  const agent = await manager.getRepository(Agent).findOneBy({ id: agentId, deletedAt: IsNull() });
  if (!agent) throw badRequest("assignee_invalid", "处理人不存在");
  return agent;
}

export async function acceptComplaint(deps: ComplaintDeps, actor: ConsoleActor, id: string, assigneeId: string | null): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    if (complaint.status !== "submitted") throw illegal(complaint, "受理");
    const assignee = assigneeId ? await activeAgent(manager, assigneeId) : null;
    await move(
      deps,
      manager,
      complaint,
      { status: "accepted", acceptedAt: deps.clock.now(), assigneeId: assignee?.id ?? actor.id },
      { type: "accepted", actor: staff(actor), note: `处理人：${assignee?.name ?? actor.name}`, isPublic: false },
    );
  });
}

export async function assignComplaint(deps: ComplaintDeps, actor: ConsoleActor, id: string, assigneeId: string): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    if (!OPEN.includes(complaint.status)) throw illegal(complaint, "指派");
    const assignee = await activeAgent(manager, assigneeId);
    const accepting = complaint.status === "submitted";
    await move(
      deps,
      manager,
      complaint,
      { assigneeId: assignee.id, ...(accepting ? { status: "accepted" as const, acceptedAt: deps.clock.now() } : {}) },
      { type: "assigned", actor: staff(actor), note: `指派给 ${assignee.name}`, isPublic: false },
    );
  });
}

export async function addComplaintNote(deps: ComplaintDeps, actor: ConsoleActor, id: string, note: string, isPublic: boolean): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    if (complaint.status !== "accepted" && complaint.status !== "processing") throw illegal(complaint, "添加处理记录");
    requireHandler(actor, complaint);
    await move(deps, manager, complaint, { status: "processing" }, { type: "note", actor: staff(actor), note, isPublic });
  });
}

export async function replyComplaint(deps: ComplaintDeps, actor: ConsoleActor, id: string, result: string): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    if (complaint.status !== "accepted" && complaint.status !== "processing") throw illegal(complaint, "答复");
    requireHandler(actor, complaint);
    await move(deps, manager, complaint, { status: "replied", result, repliedAt: deps.clock.now() }, { type: "replied", actor: staff(actor), note: result, isPublic: true });
    const keys = {
      number: await deps.settings.get("complaints.resultTemplate.numberKey"),
      result: await deps.settings.get("complaints.resultTemplate.resultKey"),
      time: await deps.settings.get("complaints.resultTemplate.timeKey"),
    };
    const kind = complaint.category === "suggestion" ? "建议" : "投诉";
    await notifyFan(manager, deps.clock, {
      openid: complaint.fanOpenid,
      ref: `complaint:${complaint.id}:replied`,
      url: h5Link(deps.publicUrl, `/complaints/${complaint.id}`),
      templateId: (await deps.settings.get("complaints.resultTemplate.id")).trim() || (deps.fallbackTemplateId ?? ""),
      data: { [keys.number]: characterString(complaint.number ?? complaint.id), [keys.result]: thing(result), [keys.time]: templateTime(deps.clock.now()) },
      fallbackText: `您的${kind}（${complaint.number ?? ""}）已有处理结果：${result}`,
    });
  });
  deps.wakeOutbox();
}

/** The revisit's satisfaction: staff record it after calling the fan; `actor` "fan" is the fan's own rating on H5. */
export async function revisitComplaint(deps: ComplaintDeps, actor: ConsoleActor | { fan: string }, id: string, rating: number, note: string | null): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    const byFan = "fan" in actor;
    if (byFan && complaint.fanOpenid !== actor.fan) throw notFound("工单不存在");
    if (complaint.status !== "replied") throw complaint.status === "revisited" || complaint.rating !== null ? conflict("already_rated", "该工单已评价") : illegal(complaint, "评价");
    if (!byFan) requireHandler(actor, complaint);
    await move(
      deps,
      manager,
      complaint,
      { status: "revisited", rating, ratingBy: byFan ? "fan" : "staff", revisitNote: note, revisitedAt: deps.clock.now() },
      { type: "revisited", actor: byFan ? { type: "fan", id: actor.fan, name: null } : staff(actor), note: `满意度 ${rating} 分${note ? `：${note}` : ""}`, isPublic: true },
    );
  });
}

export async function closeComplaint(deps: ComplaintDeps, actor: ConsoleActor, id: string, note: string | null): Promise<void> {
  await command(deps, id, async (manager, complaint) => {
    if (complaint.status === "closed") throw illegal(complaint, "关闭");
    if (OPEN.includes(complaint.status) && !note) throw badRequest("reason_required", "未答复的工单关闭时必须填写原因");
    await move(deps, manager, complaint, { status: "closed", closedAt: deps.clock.now() }, { type: "closed", actor: staff(actor), note, isPublic: true });
  });
}

export interface FanComplaintInput {
  category: ComplaintCategory;
  content: string;
  photoUploadIds: string[];
  voiceUploadId: string | null;
  location: ComplaintLocation | null;
  /** A bound account (water_binding id) the complaint is about. */
  accountId: string | null;
  source: "h5" | "chat_menu";
}

/** A fan files a complaint or suggestion from H5; photos and voice must be their own fresh uploads. */
export async function fileFanComplaint(deps: ComplaintDeps, openid: string, input: FanComplaintInput): Promise<Complaint> {
  const complaint = await withTransaction(deps.dataSource, async (manager) => {
    await checkUploads(manager, openid, input.photoUploadIds, "image", "照片");
    if (input.voiceUploadId) await checkUploads(manager, openid, [input.voiceUploadId], "voice", "录音");
    let customerNumber: string | null = null;
    if (input.accountId) {
      const binding = await manager.getRepository(WaterBinding).findOneBy({ id: input.accountId, fanOpenid: openid });
      if (!binding) throw badRequest("account_invalid", "所选户号不存在或未绑定");
      customerNumber = binding.customerNumber;
    }
    const created = await createComplaint(
      manager,
      {
        fanOpenid: openid,
        source: input.source,
        category: input.category,
        title: [...input.content.replace(/\s+/g, " ").trim()].slice(0, 30).join(""),
        content: input.content,
        photoUploadIds: input.photoUploadIds,
        voiceUploadId: input.voiceUploadId,
        location: input.location,
        customerNumber,
      },
      deps.clock,
    );
    await attachUploads(manager, openid, input.photoUploadIds, "image", `complaint:${created.id}`, "照片");
    if (input.voiceUploadId) await attachUploads(manager, openid, [input.voiceUploadId], "voice", `complaint:${created.id}`, "录音");
    return created;
  });
  return complaint;
}
