import { In, IsNull, type EntityManager } from "typeorm";
import { sqlDate } from "../../infra/db/dataSource";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { forbidden, notFound } from "../../http/errors";
import { Agent } from "../agents/agent.entity";
import { Fan } from "../fans/fan.entity";
import { Conversation, ConversationEvent } from "./conversation.entity";
import { loadConversationSettings } from "./conversationSettings";
import { likePattern } from "./db";
import type { ConversationDeps } from "./deps";
import { activeCounts } from "./jobs";
import { agentNames, loadConversationViews, loadEvents, loadTranscript, presentFanBrief } from "./views";

/**
 * What the console reads: the agent's own conversations, the waiting queue, the supervisor's live view,
 * one conversation with its transcript, and the history search.
 */

/**
 * Who may read a conversation: supervisors and admins any (watching is read-only); its current agent;
 * any agent while it waits in the queue (to decide whether to accept); and, once it is closed, the
 * agents who served it. Nobody else — another agent's live conversation stays private.
 */
export async function canReadConversation(manager: EntityManager, actor: ConsoleActor, conversation: Conversation): Promise<boolean> {
  if (isAtLeast(actor, "supervisor")) return true;
  if (conversation.agentId === actor.id) return true;
  if (conversation.status === "waiting") return true;
  if (conversation.status !== "closed") return false;
  return participated(manager, conversation.id, actor.id);
}

async function participated(manager: EntityManager, conversationId: string, agentId: string): Promise<boolean> {
  return manager.getRepository(ConversationEvent).exists({
    where: [
      { conversationId, agentId },
      { conversationId, targetAgentId: agentId },
    ],
  });
}

export async function listMyConversations(deps: ConversationDeps, actor: ConsoleActor) {
  const settings = await loadConversationSettings(deps.settings);
  const conversations = await deps.dataSource.getRepository(Conversation).find({
    where: { agentId: actor.id, status: In(["active", "expired"]) },
    order: { lastMessageAt: "DESC" },
  });
  return loadConversationViews(deps.dataSource.manager, conversations, deps.clock.now(), settings.timers);
}

/** The waiting queue, first come first served. */
export async function listWaiting(deps: ConversationDeps, limit = 200) {
  const settings = await loadConversationSettings(deps.settings);
  const conversations = await deps.dataSource.getRepository(Conversation).find({ where: { status: "waiting" }, order: { queuedAt: "ASC", id: "ASC" }, take: limit });
  return loadConversationViews(deps.dataSource.manager, conversations, deps.clock.now(), settings.timers);
}

/** Supervisors' monitor: every live conversation, and each online or away agent's load. */
export async function liveOverview(deps: ConversationDeps) {
  const settings = await loadConversationSettings(deps.settings);
  const conversations = await deps.dataSource.getRepository(Conversation).find({ where: { status: In(["active", "expired"]) }, order: { acceptedAt: "ASC" } });
  const waiting = await deps.dataSource.getRepository(Conversation).countBy({ status: "waiting" });
  return {
    conversations: await loadConversationViews(deps.dataSource.manager, conversations, deps.clock.now(), settings.timers),
    waitingCount: waiting,
    agents: await agentLoads(deps, null),
  };
}

/** Agents who can receive a conversation now (online), with their load; `excludeId` leaves out the asker. */
export async function agentLoads(deps: ConversationDeps, excludeId: string | null, onlineOnly = false) {
  const agents = await deps.dataSource.getRepository(Agent).find({
    where: { deletedAt: IsNull(), status: onlineOnly ? "online" : In(["online", "away"]) },
    order: { name: "ASC" },
  });
  const visible = agents.filter((agent) => agent.id !== excludeId);
  const counts = await activeCounts(deps, visible.map((agent) => agent.id));
  return visible.map((agent) => ({
    id: agent.id,
    name: agent.name,
    jobNumber: agent.jobNumber,
    role: agent.role,
    groupId: agent.groupId,
    status: agent.status,
    capacity: agent.capacity,
    activeCount: counts.get(agent.id) ?? 0,
    autoAccept: !!agent.settings?.autoAccept,
  }));
}

/** One conversation with its transcript and events; 403 when the actor may not read it. */
export async function conversationDetail(deps: ConversationDeps, actor: ConsoleActor, id: string) {
  const manager = deps.dataSource.manager;
  const conversation = await manager.getRepository(Conversation).findOneBy({ id });
  if (!conversation) throw notFound("会话不存在");
  if (!(await canReadConversation(manager, actor, conversation))) throw forbidden("无权查看该会话");
  const settings = await loadConversationSettings(deps.settings);
  const [view] = await loadConversationViews(manager, [conversation], deps.clock.now(), settings.timers);
  return {
    conversation: view,
    /** True when the actor can only watch (not their conversation, or not active). */
    readOnly: conversation.agentId !== actor.id || conversation.status !== "active",
    messages: await loadTranscript(manager, id),
    events: await loadEvents(manager, id),
  };
}

/** The agent has read the fan's messages so far (clears the unread badge). */
export async function markConversationRead(deps: ConversationDeps, actor: ConsoleActor, id: string): Promise<void> {
  const result = await deps.dataSource.getRepository(Conversation).update({ id, agentId: actor.id }, { agentReadAt: deps.clock.now() });
  if (!result.affected) {
    if (!(await deps.dataSource.getRepository(Conversation).existsBy({ id }))) throw notFound("会话不存在");
    throw forbidden("只能标记自己接待的会话");
  }
}

export interface HistoryQuery {
  from?: Date;
  to?: Date;
  /** An openid, or part of a nickname or remark. */
  fan?: string;
  agentId?: string;
  keyword?: string;
  status: "closed" | "all";
  page: number;
  pageSize: number;
}

/**
 * Searches conversations by time (start), fan, agent and keyword. Agents see only conversations they
 * served; supervisors and admins see all.
 */
export async function searchHistory(deps: ConversationDeps, actor: ConsoleActor, query: HistoryQuery) {
  const dataSource = deps.dataSource;
  const date = (d: Date) => sqlDate(dataSource, d);
  const servedBy = (param: string) =>
    `(c.agent_id = :${param} OR EXISTS (SELECT 1 FROM conversation_event e WHERE e.conversation_id = c.id AND (e.agent_id = :${param} OR e.target_agent_id = :${param})))`;

  const builder = dataSource.getRepository(Conversation).createQueryBuilder("c");
  if (query.status === "closed") builder.andWhere("c.status = 'closed'");
  if (query.from) builder.andWhere("c.created_at >= :from", { from: date(query.from) });
  if (query.to) builder.andWhere("c.created_at < :to", { to: date(query.to) });
  if (query.fan) {
    builder.andWhere(
      "(c.fan_openid = :fanExact OR EXISTS (SELECT 1 FROM fan f WHERE f.openid = c.fan_openid AND (f.nickname LIKE :fanLike ESCAPE '!' OR f.remark LIKE :fanLike ESCAPE '!')))",
      { fanExact: query.fan, fanLike: likePattern(query.fan) },
    );
  }
  if (query.agentId) builder.andWhere(servedBy("agentFilter"), { agentFilter: query.agentId });
  if (!isAtLeast(actor, "supervisor")) builder.andWhere(servedBy("actorId"), { actorId: actor.id });
  if (query.keyword) {
    builder.andWhere("EXISTS (SELECT 1 FROM conversation_message m WHERE m.conversation_id = c.id AND m.content LIKE :keyword ESCAPE '!')", {
      keyword: likePattern(query.keyword),
    });
  }
  builder.orderBy("c.created_at", "DESC").addOrderBy("c.id", "DESC").skip((query.page - 1) * query.pageSize).take(query.pageSize);
  const [conversations, total] = await builder.getManyAndCount();
  return { items: await presentHistory(dataSource.manager, conversations), total, page: query.page, pageSize: query.pageSize };
}

/** History rows: start, end, duration, who accepted, who closed, transfers, outcome, rating. */
async function presentHistory(manager: EntityManager, conversations: Conversation[]) {
  if (conversations.length === 0) return [];
  const ids = conversations.map((c) => c.id);
  const events = await manager.getRepository(ConversationEvent).find({ where: { conversationId: In(ids) }, order: { at: "ASC", id: "ASC" } });
  const fans = await manager.getRepository(Fan).findBy({ openid: In([...new Set(conversations.map((c) => c.fanOpenid))]) });
  const fanOf = new Map(fans.map((fan) => [fan.openid, fan]));
  const names = await agentNames(manager, [...events.flatMap((e) => [e.agentId, e.targetAgentId]), ...conversations.flatMap((c) => [c.agentId, c.closedBy])]);
  const counts: { conversation_id: string; n: string | number }[] = await manager.query(
    `SELECT conversation_id, COUNT(*) AS n FROM conversation_message WHERE conversation_id IN (${ids.map(() => "?").join(",")}) GROUP BY conversation_id`,
    ids,
  );
  const countOf = new Map(counts.map((row) => [row.conversation_id, Number(row.n)]));
  const who = (id: string | null | undefined) => (id ? { id, name: id === "system" ? "系统" : (names.get(id) ?? null) } : null);

  return conversations.map((conversation) => {
    const own = events.filter((e) => e.conversationId === conversation.id);
    const firstTake = own.find((e) => e.type === "accepted" || e.type === "reaccepted" || e.type === "dispatched");
    const acceptedById = firstTake ? (firstTake.type === "dispatched" ? firstTake.targetAgentId : firstTake.agentId) : null;
    const transfers = own
      .filter((e) => e.type === "transferred")
      .map((e) => {
        const detail = (e.detail ?? {}) as { fromAgentId?: string | null; forced?: boolean; takeover?: boolean; note?: string };
        return {
          at: e.at.toISOString(),
          from: who(detail.fromAgentId),
          to: who(e.targetAgentId),
          by: who(e.agentId),
          forced: !!detail.forced,
          takeover: !!detail.takeover,
          note: detail.note ?? null,
        };
      });
    const end = conversation.closedAt;
    return {
      id: conversation.id,
      status: conversation.status,
      fan: presentFanBrief(conversation.fanOpenid, fanOf.get(conversation.fanOpenid)),
      startedAt: conversation.createdAt.toISOString(),
      endedAt: end?.toISOString() ?? null,
      durationMs: end ? end.getTime() - conversation.createdAt.getTime() : null,
      acceptedBy: who(acceptedById),
      acceptedAt: firstTake?.at.toISOString() ?? null,
      agent: who(conversation.agentId),
      closedBy: who(conversation.closedBy),
      transfers,
      outcome: conversation.outcome,
      outcomeReason: conversation.outcomeReason,
      rating: conversation.rating,
      complaintId: conversation.complaintId,
      messageCount: countOf.get(conversation.id) ?? 0,
    };
  });
}

/** A fan's past conversations, newest first (for the profile panel). */
export async function conversationsOfFan(manager: EntityManager, openid: string, limit = 20) {
  const conversations = await manager.getRepository(Conversation).find({ where: { fanOpenid: openid }, order: { createdAt: "DESC" }, take: limit });
  return presentHistory(manager, conversations);
}
