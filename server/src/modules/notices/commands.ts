import type { EntityManager } from "typeorm";
import { badRequest, conflict, notFound } from "../../http/errors";
import type { ConsoleActor } from "../../http/console/auth";
import { newId } from "../../infra/ids";
import { recordAudit, type AuditAction } from "../audit/audit";
import { isDuplicateKey, lockingQuery, withTransaction } from "../conversations/db";
import type { NoticesDeps } from "./deps";
import { Notice, NoticeArea, NoticeEntry, type NoticeKind, type OutageType } from "./notice.entity";
import { isVisible } from "./noticeRules";
import type { EntryBody, NoticeBody } from "./noticeSchemas";
import { notifyOutage, type NotificationReport } from "./outageNotification";
import { areasOf, noticeForAdmin } from "./queries";

/**
 * Admin commands on notices. Each runs in one transaction that locks the notice row, so two admins (or two
 * clicks on two instances) publishing at once are serialised, and writes its audit row in the same
 * transaction.
 */

const isEmergency = (notice: Pick<Notice, "kind" | "outageType">) => notice.kind === "outage" && notice.outageType === "emergency";

async function lockNotice(manager: EntityManager, id: string): Promise<Notice> {
  const notice = await lockingQuery(manager, Notice, "n").where("n.id = :id", { id }).getOne();
  if (!notice) throw notFound("公告不存在");
  return notice;
}

async function audit(deps: NoticesDeps, manager: EntityManager, actor: ConsoleActor, action: AuditAction, notice: Notice, extra: object = {}) {
  await recordAudit(manager, deps.clock, { actorType: "agent", actorId: actor.id, action, detail: { noticeId: notice.id, kind: notice.kind, title: notice.title, ...extra } });
}

async function replaceAreas(manager: EntityManager, noticeId: string, areas: string[]): Promise<void> {
  await manager.getRepository(NoticeArea).delete({ noticeId });
  if (areas.length > 0) await manager.getRepository(NoticeArea).insert(areas.map((area) => ({ id: newId(), noticeId, area })));
}

/** An emergency outage goes out to fans the moment it is published: it cannot wait for a later window. */
function assertPublishable(notice: Notice, now: Date): void {
  if (notice.publishUntil && notice.publishUntil.getTime() <= now.getTime()) throw conflict("notice_window_over", "失效时间已过，请先修改失效时间再发布");
  if (isEmergency(notice) && notice.publishFrom && notice.publishFrom.getTime() > now.getTime()) {
    throw conflict("emergency_must_start_now", "紧急停水通知发布后立即通知用户，生效时间不能晚于当前时间（可留空）");
  }
}

/**
 * Runs `work` in a transaction; if a notification row already existed (two publishes past the lock
 * together), once more — the second run finds the rows and skips those fans.
 */
async function transactionWithNotifications<T>(deps: NoticesDeps, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(deps.dataSource, work);
  } catch (error) {
    if (!isDuplicateKey(error, { mysql: "ux_notice_notification_once", sqlite: "notice_notification" })) throw error;
    return withTransaction(deps.dataSource, work);
  }
}

function fieldsOf(body: NoticeBody) {
  const kind = body.kind as NoticeKind;
  return {
    kind,
    outageType: kind === "outage" ? ((body.outageType ?? null) as OutageType | null) : null,
    title: body.title,
    content: body.content,
    startsAt: kind === "outage" || kind === "repair" ? (body.startsAt ?? null) : null,
    endsAt: kind === "outage" || kind === "repair" ? (body.endsAt ?? null) : null,
    publishFrom: body.publishFrom ?? null,
    publishUntil: body.publishUntil ?? null,
  };
}

export async function createNotice(deps: NoticesDeps, actor: ConsoleActor, body: NoticeBody) {
  const now = deps.clock.now();
  const id = newId();
  await withTransaction(deps.dataSource, async (manager) => {
    const notice = manager.getRepository(Notice).create({
      id,
      ...fieldsOf(body),
      status: "draft",
      firstPublishedAt: null,
      notifiedAt: null,
      createdBy: actor.id,
      updatedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    });
    await manager.getRepository(Notice).insert(notice);
    await replaceAreas(manager, id, body.areas ?? []);
    await audit(deps, manager, actor, "notice.create", notice);
  });
  return noticeForAdmin(deps, id);
}

/**
 * Edits a notice (the whole form). The kind is fixed at creation. Editing a live emergency outage notifies
 * the fans the edit brings in (a planned outage turned emergency, an added area) who were not notified yet.
 */
export async function updateNotice(deps: NoticesDeps, actor: ConsoleActor, id: string, body: NoticeBody) {
  const report = await transactionWithNotifications(deps, async (manager) => {
    const now = deps.clock.now();
    const notice = await lockNotice(manager, id);
    if (body.kind !== notice.kind) throw badRequest("kind_immutable", "公告类型创建后不能修改，请新建公告");
    const wasEmergency = isEmergency(notice);
    const areasBefore = new Set((await areasOf(manager, [id])).get(id) ?? []);
    const fields = fieldsOf(body);
    // Publishing filled in an empty start; leaving it empty in the form keeps that start.
    if (!fields.publishFrom && notice.status !== "draft") fields.publishFrom = notice.publishFrom;
    Object.assign(notice, fields, { updatedBy: actor.id, updatedAt: now });
    if (notice.status === "published" && isEmergency(notice) && notice.publishFrom && notice.publishFrom.getTime() > now.getTime()) {
      throw conflict("emergency_must_start_now", "已发布的紧急停水通知生效时间不能晚于当前时间");
    }
    await manager.getRepository(Notice).save(notice);
    await replaceAreas(manager, id, body.areas ?? []);
    let notification: NotificationReport | null = null;
    // Only what the edit brings in: every area if it just became an emergency (or was never notified), else the added areas.
    const areas = body.areas ?? [];
    const dueAreas = !wasEmergency || !notice.notifiedAt ? areas : areas.filter((area) => !areasBefore.has(area));
    if (notice.status === "published" && isEmergency(notice) && isVisible(notice, now) && dueAreas.length > 0) {
      notification = await notifyOutage(deps, manager, notice, dueAreas);
      if (!notification.skipped && !notice.notifiedAt) await manager.getRepository(Notice).update({ id }, { notifiedAt: now });
    }
    await audit(deps, manager, actor, "notice.update", notice, notification ? { notifiedFans: notification.notifiedFans } : {});
    return notification;
  });
  if (report?.notifiedFans) deps.wakeOutbox();
  return { ...(await noticeForAdmin(deps, id)), notification: report };
}

/**
 * Publishes a notice; a second click changes nothing. An emergency outage notifies its fans on its first
 * publish only: once notified_at is set, unpublishing and publishing again sends nothing.
 */
export async function publishNotice(deps: NoticesDeps, actor: ConsoleActor, id: string) {
  const report = await transactionWithNotifications(deps, async (manager) => {
    const now = deps.clock.now();
    const notice = await lockNotice(manager, id);
    if (notice.status === "published") return null;
    assertPublishable(notice, now);
    notice.status = "published";
    notice.publishFrom ??= now;
    notice.firstPublishedAt ??= now;
    notice.updatedBy = actor.id;
    notice.updatedAt = now;
    let notification: NotificationReport = { notifiedFans: 0 };
    if (isEmergency(notice) && !notice.notifiedAt && isVisible(notice, now)) {
      const areas = (await areasOf(manager, [id])).get(id) ?? [];
      notification = await notifyOutage(deps, manager, notice, areas);
      if (!notification.skipped) notice.notifiedAt = now;
    }
    await manager.getRepository(Notice).save(notice);
    await audit(deps, manager, actor, "notice.publish", notice, isEmergency(notice) ? { notifiedFans: notification.notifiedFans } : {});
    return notification;
  });
  if (report?.notifiedFans) deps.wakeOutbox();
  return { ...(await noticeForAdmin(deps, id)), notification: report ?? { notifiedFans: 0, alreadyPublished: true } };
}

export async function unpublishNotice(deps: NoticesDeps, actor: ConsoleActor, id: string) {
  await withTransaction(deps.dataSource, async (manager) => {
    const notice = await lockNotice(manager, id);
    if (notice.status === "draft") throw conflict("notice_not_published", "草稿还没有发布，无需下线");
    if (notice.status === "unpublished") return;
    notice.status = "unpublished";
    notice.updatedBy = actor.id;
    notice.updatedAt = deps.clock.now();
    await manager.getRepository(Notice).save(notice);
    await audit(deps, manager, actor, "notice.unpublish", notice);
  });
  return noticeForAdmin(deps, id);
}

/** Appends an update to a repair's live timeline (when it happened defaults to now). */
export async function addEntry(deps: NoticesDeps, actor: ConsoleActor, id: string, body: EntryBody) {
  const entryId = newId();
  await withTransaction(deps.dataSource, async (manager) => {
    const now = deps.clock.now();
    const notice = await lockNotice(manager, id);
    if (notice.kind !== "repair") throw conflict("not_a_repair", "只有抢修动态可以添加进展");
    await manager.getRepository(NoticeEntry).insert({
      id: entryId,
      noticeId: id,
      kind: body.kind,
      text: body.text?.trim() ? body.text.trim() : null,
      mediaUrl: body.mediaUrl ?? null,
      happenedAt: body.happenedAt ?? now,
      createdBy: actor.id,
      createdAt: now,
    });
    await manager.getRepository(Notice).update({ id }, { updatedBy: actor.id, updatedAt: now });
    await audit(deps, manager, actor, "notice.update", notice, { entryAdded: entryId, entryKind: body.kind });
  });
  return noticeForAdmin(deps, id);
}

export async function removeEntry(deps: NoticesDeps, actor: ConsoleActor, id: string, entryId: string) {
  await withTransaction(deps.dataSource, async (manager) => {
    const notice = await lockNotice(manager, id);
    const removed = await manager.getRepository(NoticeEntry).delete({ id: entryId, noticeId: id });
    if (!removed.affected) throw notFound("进展不存在");
    await manager.getRepository(Notice).update({ id }, { updatedBy: actor.id, updatedAt: deps.clock.now() });
    await audit(deps, manager, actor, "notice.update", notice, { entryRemoved: entryId });
  });
  return noticeForAdmin(deps, id);
}
