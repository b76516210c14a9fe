import { In, type EntityManager } from "typeorm";
import { newId } from "../../infra/ids";
import { enqueueOutboundMany } from "../outbox/outbox";
import { WaterBinding } from "../water/binding.entity";
import { thing } from "../water/templateValues";
import type { NoticesDeps } from "./deps";
import { NoticeNotification, type Notice } from "./notice.entity";
import { templateTime } from "../water/templateValues";

/**
 * The emergency outage notification: one template message per subscribed fan (a binding with the bill
 * subscription flag) whose bound account is in an affected area — one per fan even with several accounts
 * there. Runs inside the transaction that publishes the notice, under its row lock: the outbox rows and
 * the notice_notification rows commit with the publish or not at all, and the unique (notice, fan) row
 * keeps it exactly-once per fan if two publishes ever get past the lock together.
 */

export const SANDBOX_OUTAGE_TEMPLATE_ID = "tmpl_sandbox_outage_notice";

export interface NotificationReport {
  /** Template messages enqueued by this call. */
  notifiedFans: number;
  /** Why nothing could be sent. */
  skipped?: "no_template";
}

export async function outageTemplateId(deps: NoticesDeps): Promise<string> {
  return (await deps.settings.get("notices.outageTemplateId")).trim() || deps.fallbackOutageTemplateId || "";
}

/** The H5 detail page of a notice. */
export function noticeLink(publicUrl: string, noticeId: string): string {
  return `${publicUrl}/h5/#/notices/${noticeId}`;
}

/** Enqueues the messages for every due fan not yet notified of this notice; the caller holds the notice's row lock. */
export async function notifyOutage(deps: NoticesDeps, manager: EntityManager, notice: Notice, areas: string[]): Promise<NotificationReport> {
  const templateId = await outageTemplateId(deps);
  if (!templateId) {
    deps.logger.warn({ noticeId: notice.id }, "emergency outage published but no template id is configured (setting notices.outageTemplateId)");
    return { notifiedFans: 0, skipped: "no_template" };
  }
  if (areas.length === 0 || !notice.startsAt || !notice.endsAt) return { notifiedFans: 0 };
  const keys = {
    area: await deps.settings.get("notices.outageTemplate.areaKey"),
    start: await deps.settings.get("notices.outageTemplate.startKey"),
    end: await deps.settings.get("notices.outageTemplate.endKey"),
    reason: await deps.settings.get("notices.outageTemplate.reasonKey"),
  };
  const bindings = await manager.getRepository(WaterBinding).find({ select: { fanOpenid: true }, where: { subscribed: true, area: In(areas) } });
  const already = new Set((await manager.getRepository(NoticeNotification).find({ select: { fanOpenid: true }, where: { noticeId: notice.id } })).map((row) => row.fanOpenid));
  const fans = [...new Set(bindings.map((binding) => binding.fanOpenid))].filter((openid) => !already.has(openid)).sort();

  const now = deps.clock.now();
  const data = {
    [keys.area]: { value: thing(areas.join("、")) },
    [keys.start]: { value: templateTime(notice.startsAt) },
    [keys.end]: { value: templateTime(notice.endsAt) },
    [keys.reason]: { value: thing(notice.title) },
  };
  const outbox = await enqueueOutboundMany(
    manager,
    fans.map((openid) => ({ kind: "template" as const, ref: `notice:${notice.id}`, template: { toUser: openid, templateId, url: noticeLink(deps.publicUrl, notice.id), data } })),
    deps.clock,
  );
  const rows = fans.map((openid, i) => manager.getRepository(NoticeNotification).create({ id: newId(), noticeId: notice.id, fanOpenid: openid, outboxId: outbox[i].id, createdAt: now }));
  for (let i = 0; i < rows.length; i += 500) await manager.getRepository(NoticeNotification).insert(rows.slice(i, i + 500));
  return { notifiedFans: fans.length };
}
