import type { EntityManager } from "typeorm";
import { Between, LessThan, LessThanOrEqual, MoreThanOrEqual, type FindOptionsWhere } from "typeorm";
import type { ConsoleActor } from "../../http/console/auth";
import { badRequest, conflict, notFound } from "../../http/errors";
import { newId } from "../../infra/ids";
import { recordAudit } from "../audit/audit";
import { isDuplicateKey, withTransaction } from "../conversations/db";
import { h5Link } from "../water/billChat";
import { thing } from "../water/templateValues";
import { Application, ApplicationEvent, type ApplicationStatus, type ApplicationType } from "./application.entity";
import type { ApplicationDeps } from "./deps";
import { attachUploads, checkUploads, presentUpload } from "./fanUploads";
import { templateTime } from "../water/templateValues";
import { notifyFan, phrase, ticketNumber } from "./fanNotice";
import { maskPhone } from "../water/phones";
import { keysetPage } from "../../infra/db/keysetPage";
import { maskIdNumber } from "./idNumber";
import { FanUpload } from "./fanUpload.entity";

/**
 * Business applications (业务申请): a fan submits one from the H5 form with an SMS-verified phone and ID
 * photos; staff move it along submitted → accepted → processing → done, or reject it with a reason. Every
 * change is one conditional update (on status and version), one timeline row and one notice to the fan,
 * in one transaction. 水表校验 is a paid service: it waits for its fee (ApplicationFees) before staff may accept it.
 */

export const APPLICATION_TYPE_LABELS: Record<ApplicationType, string> = { new_account: "个人开户", account_change: "户改/过户", meter_check: "水表校验" };
export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = {
  awaiting_payment: "待支付",
  submitted: "已提交",
  accepted: "已受理",
  processing: "办理中",
  done: "已办结",
  rejected: "已驳回",
};
/** Fees in fen; types not listed are free. 水表校验 is 25 yuan. */
export const APPLICATION_FEES_FEN: Partial<Record<ApplicationType, number>> = { meter_check: 2500 };

/** The staff transitions: from which statuses each target may be reached. */
const TRANSITIONS: Record<"accepted" | "processing" | "done" | "rejected", ApplicationStatus[]> = {
  accepted: ["submitted"],
  processing: ["accepted"],
  done: ["processing"],
  rejected: ["awaiting_payment", "submitted", "accepted", "processing"],
};
export type StaffTarget = keyof typeof TRANSITIONS;

export interface NewApplication {
  type: ApplicationType;
  ownerName: string;
  customerNumber: string | null;
  /** Already checked and normalised (normalizeIdNumber). */
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

export async function submitApplication(deps: ApplicationDeps, openid: string, input: NewApplication) {
  if (input.type !== "new_account" && !input.customerNumber) throw badRequest("customer_number_required", "请填写户号");
  if (input.idFrontUploadId === input.idBackUploadId) throw badRequest("upload_duplicate", "身份证正反面不能是同一张照片");
  await checkUploads(deps.dataSource.manager, openid, [input.idFrontUploadId, input.idBackUploadId], "image", "身份证照片");
  // The code is consumed before anything is written: a wrong one changes nothing, and each submission needs a fresh one.
  await deps.sms.verify(openid, input.phone, input.smsCode);
  const now = deps.clock.now();
  const fee = APPLICATION_FEES_FEN[input.type] ?? 0;
  const status: ApplicationStatus = fee > 0 ? "awaiting_payment" : "submitted";
  const application = await withTransaction(deps.dataSource, async (manager) => {
    const row = manager.getRepository(Application).create({
      id: newId(),
      number: "",
      fanOpenid: openid,
      type: input.type,
      status,
      ownerName: input.ownerName,
      customerNumber: input.type === "new_account" ? null : input.customerNumber,
      idNumber: input.idNumber,
      idFrontUploadId: input.idFrontUploadId,
      idBackUploadId: input.idBackUploadId,
      area: input.area,
      address: input.address,
      detailAddress: input.detailAddress,
      phone: input.phone,
      remark: input.remark,
      feeFen: fee,
      paidAt: null,
      paymentOrderId: null,
      rejectReason: null,
      handlerId: null,
      version: 0,
      createdAt: now,
      updatedAt: now,
    });
    await attachUploads(manager, openid, [input.idFrontUploadId, input.idBackUploadId], "image", `application:${row.id}`, "身份证照片");
    for (let attempt = 1; ; attempt++) {
      row.number = ticketNumber("SQ", now);
      try {
        await manager.getRepository(Application).insert(row);
        break;
      } catch (error) {
        if (attempt >= 5 || !isDuplicateKey(error, { mysql: "ux_application_number", sqlite: "application.number" })) throw error;
      }
    }
    await addEvent(manager, deps, row, null, status, { type: "fan", id: openid, name: null }, fee > 0 ? `需支付服务费 ${fee / 100} 元` : null);
    return row;
  });
  return presentApplicationForFan(application, await eventsOf(deps.dataSource.manager, application.id));
}

async function addEvent(
  manager: EntityManager,
  deps: ApplicationDeps,
  application: Application,
  from: ApplicationStatus | null,
  to: ApplicationStatus,
  actor: { type: "fan" | "agent" | "system"; id: string | null; name: string | null },
  note: string | null,
): Promise<void> {
  await manager.getRepository(ApplicationEvent).insert({
    id: newId(),
    applicationId: application.id,
    fromStatus: from,
    toStatus: to,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    note,
    at: deps.clock.now(),
  });
}

/** The fan's notice of a change (template 业务办理进度 when configured). */
async function notifyApplicationFan(manager: EntityManager, deps: ApplicationDeps, application: Application, to: ApplicationStatus, note: string | null): Promise<void> {
  const typeLabel = APPLICATION_TYPE_LABELS[application.type];
  const statusLabel = APPLICATION_STATUS_LABELS[to];
  const keys = {
    type: await deps.settings.get("applications.statusTemplate.typeKey"),
    status: await deps.settings.get("applications.statusTemplate.statusKey"),
    time: await deps.settings.get("applications.statusTemplate.timeKey"),
    note: await deps.settings.get("applications.statusTemplate.noteKey"),
  };
  const remark = note ?? (to === "done" ? "您的业务已办理完成" : to === "submitted" ? "已收到您的申请，请等待受理" : "点击查看办理进度");
  await notifyFan(manager, deps.clock, {
    openid: application.fanOpenid,
    ref: `application:${application.id}:${to}`,
    url: h5Link(deps.publicUrl, `/applications/${application.id}`),
    templateId: (await deps.settings.get("applications.statusTemplate.id")).trim() || (deps.fallbackTemplateId ?? ""),
    data: { [keys.type]: thing(`${typeLabel} ${application.number}`), [keys.status]: phrase(statusLabel), [keys.time]: templateTime(deps.clock.now()), [keys.note]: thing(remark) },
    fallbackText: `您的${typeLabel}申请（${application.number}）状态：${statusLabel}${note ? `。${note}` : ""}`,
  });
}

/** Staff move an application along; an illegal move (or one that lost a race) is 409 with the current status. */
export async function transitionApplication(deps: ApplicationDeps, actor: ConsoleActor, id: string, to: StaffTarget, note: string | null) {
  if (to === "rejected" && !note) throw badRequest("reason_required", "驳回必须填写原因");
  await withTransaction(deps.dataSource, async (manager) => {
    const application = await manager.getRepository(Application).findOneBy({ id });
    if (!application) throw notFound("申请不存在");
    if (!TRANSITIONS[to].includes(application.status)) {
      if (application.status === "awaiting_payment" && to === "accepted") throw conflict("not_paid", "该申请尚未支付服务费，支付后才能受理");
      throw conflict("illegal_transition", `申请当前为“${APPLICATION_STATUS_LABELS[application.status]}”，不能改为“${APPLICATION_STATUS_LABELS[to]}”`);
    }
    const now = deps.clock.now();
    const changes: Partial<Application> = { status: to, updatedAt: now };
    if (to === "accepted") changes.handlerId = actor.id;
    if (to === "rejected") changes.rejectReason = note!.slice(0, 200);
    const result = await manager
      .getRepository(Application)
      .update({ id, status: application.status, version: application.version }, { ...changes, version: () => "version + 1" });
    if (!result.affected) throw conflict("application_changed", "申请已被他人更新，请刷新后重试");
    await addEvent(manager, deps, application, application.status, to, { type: "agent", id: actor.id, name: actor.name }, note);
    await notifyApplicationFan(manager, deps, application, to, to === "rejected" ? `驳回原因：${note}` : note);
    await recordAudit(manager, deps.clock, { actorType: "agent", actorId: actor.id, action: "application.status", customerNumber: application.customerNumber, detail: { applicationId: id, from: application.status, to } });
  });
  deps.wakeOutbox();
  return applicationForStaff(deps, actor, id, { audit: false });
}

/**
 * The payments module credits a paid application inside its own transaction (ApplicationFees.markPaid):
 * awaiting_payment → submitted with a timeline row and the fan's notice. A second call for the same
 * application is a no-op; a payment for one that was rejected meanwhile is recorded but moves nothing.
 */
export async function markApplicationPaid(manager: EntityManager, deps: ApplicationDeps, id: string, payment: { orderId: string; paidAt: Date }): Promise<void> {
  const application = await manager.getRepository(Application).findOneBy({ id });
  if (!application) throw notFound("申请不存在");
  if (application.paidAt) return;
  const paying = application.status === "awaiting_payment";
  const result = await manager
    .getRepository(Application)
    .update(
      { id, version: application.version },
      { paidAt: payment.paidAt, paymentOrderId: payment.orderId, ...(paying ? { status: "submitted" as const } : {}), updatedAt: deps.clock.now(), version: () => "version + 1" },
    );
  if (!result.affected) throw conflict("application_changed", "申请已被他人更新，请重试");
  if (!paying) {
    deps.logger.warn({ applicationId: id, status: application.status, orderId: payment.orderId }, "application fee paid after it left awaiting_payment");
    return;
  }
  await addEvent(manager, deps, application, "awaiting_payment", "submitted", { type: "system", id: payment.orderId, name: "微信支付" }, `已支付服务费 ${application.feeFen / 100} 元`);
  await notifyApplicationFan(manager, deps, application, "submitted", "服务费已支付，请等待受理");
}

export function eventsOf(manager: EntityManager, applicationId: string): Promise<ApplicationEvent[]> {
  return manager.getRepository(ApplicationEvent).find({ where: { applicationId }, order: { at: "ASC", id: "ASC" } });
}

function presentEvent(event: ApplicationEvent, forFan: boolean) {
  return {
    status: event.toStatus,
    statusLabel: APPLICATION_STATUS_LABELS[event.toStatus],
    fromStatus: event.fromStatus,
    // A fan sees that staff acted, not who.
    actor: forFan ? (event.actorType === "agent" ? "工作人员" : event.actorType === "fan" ? "本人" : "系统") : (event.actorName ?? (event.actorType === "fan" ? "粉丝" : "系统")),
    actorType: event.actorType,
    note: event.note,
    at: event.at.toISOString(),
  };
}

function presentSummary(application: Application) {
  return {
    id: application.id,
    number: application.number,
    type: application.type,
    typeLabel: APPLICATION_TYPE_LABELS[application.type],
    status: application.status,
    statusLabel: APPLICATION_STATUS_LABELS[application.status],
    ownerName: application.ownerName,
    customerNumber: application.customerNumber,
    area: application.area,
    feeFen: application.feeFen,
    paid: application.paidAt !== null,
    createdAt: application.createdAt.toISOString(),
    updatedAt: application.updatedAt.toISOString(),
  };
}

export function presentApplicationForFan(application: Application, events: ApplicationEvent[]) {
  return {
    ...presentSummary(application),
    idNumber: maskIdNumber(application.idNumber),
    address: application.address,
    detailAddress: application.detailAddress,
    phone: application.phone,
    remark: application.remark,
    rejectReason: application.rejectReason,
    paidAt: application.paidAt?.toISOString() ?? null,
    payUrl: application.status === "awaiting_payment" ? `/h5/#/pay/application/${application.id}` : null,
    timeline: events.map((event) => presentEvent(event, true)),
  };
}

export async function applicationsOfFan(deps: ApplicationDeps, openid: string) {
  const rows = await deps.dataSource.getRepository(Application).find({ where: { fanOpenid: openid }, order: { createdAt: "DESC" }, take: 50 });
  return rows.map(presentSummary);
}

/** The fan's own application; another fan's id is 404. */
export async function applicationOfFan(deps: ApplicationDeps, openid: string, id: string) {
  const application = await deps.dataSource.getRepository(Application).findOneBy({ id, fanOpenid: openid });
  if (!application) throw notFound("申请不存在");
  return presentApplicationForFan(application, await eventsOf(deps.dataSource.manager, id));
}

export interface ApplicationFilter {
  type?: ApplicationType;
  status?: ApplicationStatus;
  from?: Date;
  to?: Date;
  before?: string;
  limit: number;
}

export async function listApplications(deps: ApplicationDeps, filter: ApplicationFilter) {
  const where: FindOptionsWhere<Application> = {};
  if (filter.type) where.type = filter.type;
  if (filter.status) where.status = filter.status;
  if (filter.from && filter.to) where.createdAt = Between(filter.from, filter.to);
  else if (filter.from) where.createdAt = MoreThanOrEqual(filter.from);
  else if (filter.to) where.createdAt = LessThanOrEqual(filter.to);
  if (filter.before) where.id = LessThan(filter.before);
  const rows = await deps.dataSource.getRepository(Application).find({ where, order: { id: "DESC" }, take: filter.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, filter.limit);
  return { applications: page.map(presentSummary), nextBefore };
}

/**
 * One application for staff. Supervisors and admins (who handle them) see the full ID number and the
 * ID photos, and the view is audited; agents see it read-only with the ID masked and no photos.
 */
export async function applicationForStaff(deps: ApplicationDeps, actor: ConsoleActor, id: string, options: { audit: boolean } = { audit: true }) {
  const application = await deps.dataSource.getRepository(Application).findOneBy({ id });
  if (!application) throw notFound("申请不存在");
  const handler = actor.role !== "agent";
  const photos = handler
    ? await deps.dataSource.getRepository(FanUpload).find({ where: [{ id: application.idFrontUploadId }, { id: application.idBackUploadId }] })
    : [];
  const photoOf = (uploadId: string) => {
    const upload = photos.find((p) => p.id === uploadId);
    return upload ? { ...presentUpload(upload), url: `/api/console/uploads/${upload.id}` } : null;
  };
  if (handler && options.audit) {
    await recordAudit(deps.dataSource, deps.clock, { actorType: "agent", actorId: actor.id, action: "application.view", customerNumber: application.customerNumber, detail: { applicationId: id } });
  }
  return {
    ...presentSummary(application),
    fanOpenid: application.fanOpenid,
    idNumber: handler ? application.idNumber : maskIdNumber(application.idNumber),
    idFront: handler ? photoOf(application.idFrontUploadId) : null,
    idBack: handler ? photoOf(application.idBackUploadId) : null,
    address: application.address,
    detailAddress: application.detailAddress,
    phone: handler ? application.phone : maskPhone(application.phone),
    remark: application.remark,
    rejectReason: application.rejectReason,
    paidAt: application.paidAt?.toISOString() ?? null,
    paymentOrderId: application.paymentOrderId,
    handlerId: application.handlerId,
    canHandle: handler,
    nextStatuses: handler ? (Object.keys(TRANSITIONS) as StaffTarget[]).filter((to) => TRANSITIONS[to].includes(application.status)) : [],
    timeline: (await eventsOf(deps.dataSource.manager, id)).map((event) => presentEvent(event, false)),
  };
}
