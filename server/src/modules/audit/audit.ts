import { Between, LessThan, LessThanOrEqual, MoreThanOrEqual, type DataSource, type EntityManager, type FindOptionsWhere } from "typeorm";
import type { Clock } from "../../infra/clock";
import { keysetPage } from "../../infra/db/keysetPage";
import { newId } from "../../infra/ids";
import { agentNames } from "../conversations/views";
import { AuditLog, type AuditActorType } from "./auditLog.entity";

/**
 * The audit log: every account or bill query by a fan or an agent, and binding changes, one row each.
 * Written after the query it records (a failed query is not logged as a read), searched by admins.
 */

/** The actions written today; later slices add theirs (menu.publish, notice.publish, …). */
export type AuditAction =
  | "account.list"
  | "account.view"
  | "account.bind"
  | "account.bind_failed"
  | "account.unbind"
  | "bill.list"
  | "bill.view"
  | "bill.chat_summary"
  | "menu.publish"
  | "welcome.update"
  | "guides.change"
  | "application.view"
  | "application.status"
  | "notice.create"
  | "notice.update"
  | "notice.publish"
  | "notice.unpublish"
  | "payment.order"
  | "payment.refund"
  | "payment.reconcile";

export interface AuditEntry {
  actorType: AuditActorType;
  actorId: string;
  action: AuditAction;
  customerNumber?: string | null;
  detail?: object | null;
  ip?: string | null;
}

export async function recordAudit(target: DataSource | EntityManager, clock: Clock, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const at = clock.now();
  const manager = "manager" in target ? target.manager : target;
  await manager.getRepository(AuditLog).insert(
    list.map((entry) => ({
      id: newId(),
      actorType: entry.actorType,
      actorId: entry.actorId,
      action: entry.action,
      customerNumber: entry.customerNumber ?? null,
      detail: entry.detail ?? null,
      ip: entry.ip ?? null,
      at,
    })),
  );
}

export interface AuditFilter {
  actor?: string;
  account?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Rows older than this id (the previous page's `nextBefore`). */
  before?: string;
  limit: number;
}

export function presentAudit(row: AuditLog) {
  return {
    id: row.id,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    customerNumber: row.customerNumber,
    detail: row.detail,
    ip: row.ip,
    at: row.at.toISOString(),
  };
}

/** Newest first; ids are time-ordered (UUIDv7), so `before` pages without skipping rows written in the same millisecond. */
export async function searchAudit(dataSource: DataSource, filter: AuditFilter) {
  const where: FindOptionsWhere<AuditLog> = {};
  if (filter.actor) where.actorId = filter.actor;
  if (filter.account) where.customerNumber = filter.account;
  if (filter.action) where.action = filter.action;
  if (filter.from && filter.to) where.at = Between(filter.from, filter.to);
  else if (filter.from) where.at = MoreThanOrEqual(filter.from);
  else if (filter.to) where.at = LessThanOrEqual(filter.to);
  if (filter.before) where.id = LessThan(filter.before);
  const rows = await dataSource.getRepository(AuditLog).find({ where, order: { id: "DESC" }, take: filter.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, filter.limit);
  // Staff are shown by name (ids alone mean nothing to the admin reading the log); fans by openid.
  const names = await agentNames(dataSource.manager, page.filter((row) => row.actorType === "agent").map((row) => row.actorId));
  return {
    entries: page.map((row) => ({ ...presentAudit(row), actorName: names.get(row.actorId) ?? null })),
    nextBefore,
  };
}
