import { In, type DataSource, type EntityManager, type SelectQueryBuilder } from "typeorm";
import { sqlDate } from "../../infra/db/dataSource";
import { notFound } from "../../http/errors";
import { likePattern } from "../conversations/db";
import type { NoticesDeps } from "./deps";
import { Notice, NoticeArea, NoticeEntry, NoticeNotification, type NoticeKind, type NoticeStatus } from "./notice.entity";
import { chinaDay } from "./noticeRules";
import { presentAdminNotice, presentEntry, presentFanDetail, presentFanSummary } from "./presenters";

/** Reading notices: the fans' public lists and search (visible ones only), and the console's lists. */

export const NOTICE_NOT_FOUND = "公告不存在或已下线";

/** Each notice's areas, in the order the admin entered them (ids are time-ordered). */
export async function areasOf(manager: EntityManager, noticeIds: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(noticeIds.map((id) => [id, []]));
  if (noticeIds.length === 0) return result;
  const rows = await manager.getRepository(NoticeArea).find({ where: { noticeId: In(noticeIds) }, order: { id: "ASC" } });
  for (const row of rows) result.get(row.noticeId)?.push(row.area);
  return result;
}

/** Restricts a query on notice `n` to what fans may see now (published, inside the window). */
function visibleTo(builder: SelectQueryBuilder<Notice>, dataSource: DataSource, now: Date): SelectQueryBuilder<Notice> {
  return builder
    .andWhere("n.status = 'published'")
    .andWhere("n.publish_from <= :visibleNow", { visibleNow: sqlDate(dataSource, now) })
    .andWhere("(n.publish_until IS NULL OR n.publish_until > :visibleNow)");
}

async function fanPage(deps: NoticesDeps, builder: SelectQueryBuilder<Notice>, page: number, pageSize: number) {
  const now = deps.clock.now();
  const [notices, total] = await builder.skip((page - 1) * pageSize).take(pageSize).getManyAndCount();
  const areas = await areasOf(deps.dataSource.manager, notices.map((n) => n.id));
  return { notices: notices.map((n) => presentFanSummary(n, areas.get(n.id) ?? [], now)), total, page, pageSize };
}

/** Visible notices, newest first (by when they took effect), optionally of one kind. */
export async function listVisibleNotices(deps: NoticesDeps, query: { kind?: string; page: number; pageSize: number }) {
  const builder = visibleTo(deps.dataSource.getRepository(Notice).createQueryBuilder("n"), deps.dataSource, deps.clock.now());
  if (query.kind) builder.andWhere("n.kind = :kind", { kind: query.kind });
  builder.orderBy("n.publish_from", "DESC").addOrderBy("n.id", "DESC");
  return fanPage(deps, builder, query.page, query.pageSize);
}

/**
 * Visible outage notices whose interruption overlaps the China-time day `date` and that list `area`;
 * either filter may be left out. Newest interruption first.
 */
export async function searchOutages(deps: NoticesDeps, query: { date?: string; area?: string; page: number; pageSize: number }) {
  const { dataSource } = deps;
  const builder = visibleTo(dataSource.getRepository(Notice).createQueryBuilder("n"), dataSource, deps.clock.now()).andWhere("n.kind = 'outage'");
  if (query.date) {
    const day = chinaDay(query.date)!;
    builder.andWhere("n.starts_at < :dayEnd AND n.ends_at > :dayStart", { dayStart: sqlDate(dataSource, day.start), dayEnd: sqlDate(dataSource, day.end) });
  }
  if (query.area) builder.andWhere("EXISTS (SELECT 1 FROM notice_area a WHERE a.notice_id = n.id AND a.area = :area)", { area: query.area });
  builder.orderBy("n.starts_at", "DESC").addOrderBy("n.id", "DESC");
  return fanPage(deps, builder, query.page, query.pageSize);
}

/** One visible notice with its timeline (newest update first); anything else is 404. */
export async function visibleNoticeDetail(deps: NoticesDeps, id: string) {
  const { dataSource } = deps;
  const now = deps.clock.now();
  const notice = await visibleTo(dataSource.getRepository(Notice).createQueryBuilder("n"), dataSource, now).andWhere("n.id = :id", { id }).getOne();
  if (!notice) throw notFound(NOTICE_NOT_FOUND);
  const areas = await areasOf(dataSource.manager, [id]);
  const entries = await dataSource.getRepository(NoticeEntry).find({ where: { noticeId: id }, order: { happenedAt: "DESC", id: "DESC" } });
  return presentFanDetail(notice, areas.get(id) ?? [], entries, now);
}

/**
 * Area names to choose from: the billing system's (built-in table), bound accounts' and earlier notices'.
 * Area names are public (they appear on every outage notice).
 */
export async function knownAreas(dataSource: DataSource): Promise<string[]> {
  const rows: { area: string }[] = await dataSource.query(
    "SELECT DISTINCT area FROM water_account UNION SELECT DISTINCT area FROM water_binding UNION SELECT DISTINCT area FROM notice_area",
  );
  return [...new Set(rows.map((row) => row.area).filter((area) => area && area.trim() !== ""))].sort((a, b) => a.localeCompare(b, "zh-CN"));
}

export interface AdminListQuery {
  kind?: string;
  status?: string;
  q?: string;
  page: number;
  pageSize: number;
}

/** The console list: every notice, newest created first, filtered by kind, status and title. */
export async function listNoticesForAdmin(deps: NoticesDeps, query: AdminListQuery) {
  const builder = deps.dataSource.getRepository(Notice).createQueryBuilder("n");
  if (query.kind) builder.andWhere("n.kind = :kind", { kind: query.kind as NoticeKind });
  if (query.status) builder.andWhere("n.status = :status", { status: query.status as NoticeStatus });
  if (query.q) builder.andWhere("n.title LIKE :title ESCAPE '!'", { title: likePattern(query.q) });
  builder.orderBy("n.id", "DESC").skip((query.page - 1) * query.pageSize).take(query.pageSize);
  const [notices, total] = await builder.getManyAndCount();
  const now = deps.clock.now();
  const areas = await areasOf(deps.dataSource.manager, notices.map((n) => n.id));
  return { notices: notices.map((n) => presentAdminNotice(n, areas.get(n.id) ?? [], now)), total, page: query.page, pageSize: query.pageSize };
}

export async function loadNotice(manager: EntityManager, id: string): Promise<Notice> {
  const notice = await manager.getRepository(Notice).findOneBy({ id });
  if (!notice) throw notFound("公告不存在");
  return notice;
}

/** The console detail: the notice, its timeline (newest first) and how many fans it notified. */
export async function noticeForAdmin(deps: NoticesDeps, id: string) {
  const manager = deps.dataSource.manager;
  const notice = await loadNotice(manager, id);
  const areas = await areasOf(manager, [id]);
  const entries = await manager.getRepository(NoticeEntry).find({ where: { noticeId: id }, order: { happenedAt: "DESC", id: "DESC" } });
  const notifiedFans = await manager.getRepository(NoticeNotification).countBy({ noticeId: id });
  return { notice: presentAdminNotice(notice, areas.get(id) ?? [], deps.clock.now()), entries: entries.map(presentEntry), notifiedFans };
}
