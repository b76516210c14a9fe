import { In, IsNull, Like, Not, type EntityManager, type FindOptionsWhere } from "typeorm";
import type { ConsoleActor } from "../../http/console/auth";
import { conflict, notFound } from "../../http/errors";
import { LeaveMessage } from "../conversations/conversation.entity";
import { withTransaction } from "../conversations/db";
import type { ConversationDeps } from "../conversations/deps";
import { WINDOW_CLOSED_MESSAGE } from "../conversations/rules";
import { agentNames, mapUrl, messagePreview, presentFanBrief } from "../conversations/views";
import { Fan } from "../fans/fan.entity";
import { enqueueOutbound } from "../outbox/outbox";
import { OutboxMessage } from "../outbox/outboxMessage.entity";
import { isWindowOpen, windowRemainingMs } from "../outbox/replyWindow";

/**
 * Leave-messages (留言): what fans send outside service hours. Agents see them with an unread badge,
 * reply while the fan's 48-hour window allows (through the outbox), and mark them handled.
 */

export const LEAVE_REF_PREFIX = "leave_message:";

/** Stored with the inbound message's id, so routing the same message twice stores it once. */
export async function createLeaveMessage(
  manager: EntityManager,
  row: { id: string; fanOpenid: string; kind: string; content: string | null; media: object | null; createdAt: Date },
): Promise<LeaveMessage> {
  const entity = manager.getRepository(LeaveMessage).create({
    ...row,
    inboundMessageId: row.id,
    readAt: null,
    handledAt: null,
    handledBy: null,
  });
  await manager.getRepository(LeaveMessage).insert(entity);
  return entity;
}

interface ReplyView {
  outboxId: string;
  agentId: string | null;
  agentName: string | null;
  content: string;
  status: OutboxMessage["status"];
  errcode: number | null;
  error: string | null;
  createdAt: string;
}

export function presentLeaveMessage(row: LeaveMessage, fan: Fan | null | undefined, names: Map<string, string>, replies: ReplyView[], now: Date) {
  const media = row.media ? { ...(row.media as Record<string, unknown>) } : null;
  if (media && row.kind === "location" && typeof media.latitude === "number" && typeof media.longitude === "number") {
    media.mapUrl = mapUrl(media.latitude, media.longitude, String(media.label ?? ""));
  }
  const remaining = windowRemainingMs(fan ?? { lastMessageAt: null, lastEventAt: null, lastInteractionAt: null }, now);
  return {
    id: row.id,
    fan: presentFanBrief(row.fanOpenid, fan),
    kind: row.kind,
    content: row.content,
    media,
    preview: messagePreview(row),
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    readAt: row.readAt?.toISOString() ?? null,
    handled: row.handledAt !== null,
    handledAt: row.handledAt?.toISOString() ?? null,
    handledBy: row.handledBy,
    handledByName: row.handledBy ? (names.get(row.handledBy) ?? null) : null,
    windowRemainingMs: remaining,
    canReply: remaining > 0,
    replies,
  };
}

export type LeaveMessageView = ReturnType<typeof presentLeaveMessage>;

async function loadViews(manager: EntityManager, rows: LeaveMessage[], now: Date): Promise<LeaveMessageView[]> {
  if (rows.length === 0) return [];
  const openids = [...new Set(rows.map((row) => row.fanOpenid))];
  const fans = await manager.getRepository(Fan).findBy({ openid: In(openids) });
  const fanOf = new Map(fans.map((fan) => [fan.openid, fan]));
  const outbox = await manager.getRepository(OutboxMessage).find({
    where: { fanOpenid: In(openids), ref: Like(`${LEAVE_REF_PREFIX}%`) },
    order: { id: "ASC" },
  });
  const parsed = outbox.map((row) => {
    const [, leaveId, agentId] = (row.ref ?? "").split(":");
    return { row, leaveId, agentId: agentId || null };
  });
  const names = await agentNames(manager, [...rows.map((row) => row.handledBy), ...parsed.map((p) => p.agentId)]);
  const repliesOf = new Map<string, ReplyView[]>();
  for (const { row, leaveId, agentId } of parsed) {
    const list = repliesOf.get(leaveId) ?? [];
    list.push({
      outboxId: row.id,
      agentId,
      agentName: agentId ? (names.get(agentId) ?? null) : null,
      content: String((row.payload as { content?: string }).content ?? ""),
      status: row.status,
      errcode: row.lastErrcode,
      error: row.lastError,
      createdAt: row.createdAt.toISOString(),
    });
    repliesOf.set(leaveId, list);
  }
  return rows.map((row) => presentLeaveMessage(row, fanOf.get(row.fanOpenid), names, repliesOf.get(row.id) ?? [], now));
}

export async function loadLeaveMessageView(manager: EntityManager, id: string, now: Date): Promise<LeaveMessageView | null> {
  const row = await manager.getRepository(LeaveMessage).findOneBy({ id });
  return row ? (await loadViews(manager, [row], now))[0] : null;
}

export async function unreadLeaveCount(manager: EntityManager): Promise<number> {
  return manager.getRepository(LeaveMessage).countBy({ readAt: IsNull() });
}

export async function listLeaveMessages(
  deps: ConversationDeps,
  query: { status: "unhandled" | "handled" | "all"; openid?: string; page: number; pageSize: number },
) {
  const manager = deps.dataSource.manager;
  const where: FindOptionsWhere<LeaveMessage> = {};
  if (query.status === "unhandled") where.handledAt = IsNull();
  if (query.status === "handled") where.handledAt = Not(IsNull());
  if (query.openid) where.fanOpenid = query.openid;
  const [rows, total] = await manager.getRepository(LeaveMessage).findAndCount({
    where,
    order: { createdAt: "DESC", id: "DESC" },
    skip: (query.page - 1) * query.pageSize,
    take: query.pageSize,
  });
  return { items: await loadViews(manager, rows, deps.clock.now()), total, page: query.page, pageSize: query.pageSize, unreadCount: await unreadLeaveCount(manager) };
}

/** Marks leave-messages read (all unread ones when no ids are given). */
export async function markLeaveMessagesRead(deps: ConversationDeps, ids: string[] | null): Promise<{ unreadCount: number }> {
  const repository = deps.dataSource.getRepository(LeaveMessage);
  const now = deps.clock.now();
  if (ids === null) await repository.update({ readAt: IsNull() }, { readAt: now });
  else if (ids.length > 0) await repository.update({ id: In(ids), readAt: IsNull() }, { readAt: now });
  return { unreadCount: await unreadLeaveCount(deps.dataSource.manager) };
}

/** Answers a leave-message as a customer-service text, refused once the fan's 48-hour window has closed. */
export async function replyToLeaveMessage(deps: ConversationDeps, actor: ConsoleActor, id: string, content: string): Promise<LeaveMessageView> {
  const now = deps.clock.now();
  await withTransaction(deps.dataSource, async (manager) => {
    const row = await manager.getRepository(LeaveMessage).findOneBy({ id });
    if (!row) throw notFound("留言不存在");
    const fan = await manager.getRepository(Fan).findOneBy({ openid: row.fanOpenid });
    if (!fan || !isWindowOpen(fan, now)) throw conflict("window_closed", WINDOW_CLOSED_MESSAGE);
    await enqueueOutbound(
      manager,
      { kind: "custom", message: { type: "text", toUser: row.fanOpenid, content }, ref: `${LEAVE_REF_PREFIX}${row.id}:${actor.id}` },
      deps.clock,
    );
    await manager.getRepository(LeaveMessage).update({ id, readAt: IsNull() }, { readAt: now });
  });
  deps.wakeOutbox();
  return (await loadLeaveMessageView(deps.dataSource.manager, id, now))!;
}

/** Marks a leave-message handled; the first agent to do so is recorded (a conditional update). */
export async function handleLeaveMessage(deps: ConversationDeps, actor: ConsoleActor, id: string): Promise<LeaveMessageView> {
  const now = deps.clock.now();
  const repository = deps.dataSource.getRepository(LeaveMessage);
  const result = await repository.update({ id, handledAt: IsNull() }, { handledAt: now, handledBy: actor.id, readAt: now });
  if (!result.affected && !(await repository.existsBy({ id }))) throw notFound("留言不存在");
  await repository.update({ id, readAt: IsNull() }, { readAt: now });
  return (await loadLeaveMessageView(deps.dataSource.manager, id, now))!;
}
