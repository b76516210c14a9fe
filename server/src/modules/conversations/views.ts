import { In, type EntityManager } from "typeorm";
import { Agent } from "../agents/agent.entity";
import { Fan } from "../fans/fan.entity";
import { OutboxMessage } from "../outbox/outboxMessage.entity";
import { windowRemainingMs } from "../outbox/replyWindow";
import { Conversation, ConversationEvent, ConversationMessage } from "./conversation.entity";
import { isAlertStanding, releaseAt, type ConversationTimers } from "./rules";

/**
 * The JSON shapes of conversations, messages and events: one presenter each, used by the REST API and by
 * realtime pushes alike, so the console handles one shape per thing.
 */

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export interface FanBrief {
  openid: string;
  nickname: string | null;
  remark: string | null;
  tags: string[];
  blacklisted: boolean;
  subscribed: boolean;
}

export function presentFanBrief(openid: string, fan: Fan | null | undefined): FanBrief {
  return {
    openid,
    nickname: fan?.nickname ?? null,
    remark: fan?.remark ?? null,
    tags: fan?.tags ?? [],
    blacklisted: fan?.blacklisted ?? false,
    subscribed: fan?.subscribed ?? false,
  };
}

/** What an automatic (not typed by an agent) outgoing message was. */
export type AutomaticKind = "greeting" | "queued" | "keyword" | "away" | "transfer" | "reminder" | "auto_close" | "rating" | "rating_thanks";

/** A short line for lists: the text, or a bracketed label for media. */
export function messagePreview(message: Pick<ConversationMessage, "kind" | "content">): string {
  const content = message.content ?? "";
  switch (message.kind) {
    case "text":
      return content;
    case "image":
      return "[图片]";
    case "voice":
      return content ? `[语音] ${content}` : "[语音]";
    case "video":
    case "shortvideo":
      return "[视频]";
    case "location":
      return `[位置] ${content}`.trim();
    case "link":
      return `[链接] ${content}`.trim();
    case "template":
      return `[模板消息] ${content}`.trim();
    default:
      return content || `[${message.kind}]`;
  }
}

/** How long a list preview of the fan's latest message may be; the whole text is in the transcript. */
export const SHORT_PREVIEW_LENGTH = 60;

/** The one-line preview cut to `max` characters (code points, so emoji stay whole), with … when cut. */
export function shortPreview(message: Pick<ConversationMessage, "kind" | "content">, max = SHORT_PREVIEW_LENGTH): string {
  const line = messagePreview(message).replace(/\s+/g, " ").trim();
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : line;
}

/**
 * A map link for a location the fan sent. WeChat reports GCJ-02 coordinates, which Tencent Maps uses as is.
 */
export function mapUrl(latitude: number, longitude: number, label: string): string {
  const title = encodeURIComponent(label || "位置");
  return `https://apis.map.qq.com/uri/v1/marker?marker=coord:${latitude},${longitude};title:${title};addr:${title}&referer=shuiwu`;
}

export interface DeliveryView {
  status: OutboxMessage["status"] | "passive";
  errcode: number | null;
  error: string | null;
  sentAt: string | null;
}

export function presentMessage(message: ConversationMessage, agentName: string | null, outbox: OutboxMessage | null | undefined) {
  const { auto, ...media } = (message.media ?? {}) as Record<string, unknown> & { auto?: AutomaticKind };
  if (message.kind === "location" && typeof media.latitude === "number" && typeof media.longitude === "number") {
    media.mapUrl = mapUrl(media.latitude, media.longitude, String(media.label ?? ""));
  }
  let delivery: DeliveryView | null = null;
  if (message.direction === "out") {
    delivery = outbox
      ? { status: outbox.status, errcode: outbox.lastErrcode, error: outbox.lastError, sentAt: iso(outbox.sentAt) }
      : { status: "passive", errcode: null, error: null, sentAt: iso(message.createdAt) };
  }
  return {
    id: message.id,
    conversationId: message.conversationId,
    direction: message.direction,
    agentId: message.agentId,
    agentName,
    kind: message.kind,
    content: message.content,
    media: Object.keys(media).length ? media : null,
    auto: auto ?? null,
    preview: messagePreview(message),
    createdAt: message.createdAt.toISOString(),
    delivery,
  };
}

export type MessageView = ReturnType<typeof presentMessage>;

export function presentEvent(event: ConversationEvent, names: Map<string, string>) {
  return {
    id: event.id,
    type: event.type,
    agentId: event.agentId,
    agentName: event.agentId ? (names.get(event.agentId) ?? null) : null,
    targetAgentId: event.targetAgentId,
    targetAgentName: event.targetAgentId ? (names.get(event.targetAgentId) ?? null) : null,
    detail: event.detail,
    at: event.at.toISOString(),
  };
}

export type EventView = ReturnType<typeof presentEvent>;

export interface ConversationExtras {
  fan: Fan | null | undefined;
  names: Map<string, string>;
  unreadCount: number;
  lastMessage: ConversationMessage | null | undefined;
  /** The fan's own latest message (never an automatic reply): what the waiting list shows. */
  lastFanMessage: ConversationMessage | null | undefined;
}

export function presentConversation(conversation: Conversation, extras: ConversationExtras, now: Date, timers: ConversationTimers) {
  const { fan, names } = extras;
  const interactions = fan ?? { lastMessageAt: null, lastEventAt: null, lastInteractionAt: null };
  const windowMs = windowRemainingMs(interactions, now);
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    id: conversation.id,
    status: conversation.status,
    fan: presentFanBrief(conversation.fanOpenid, fan),
    agentId: conversation.agentId,
    agentName: name(conversation.agentId),
    previousAgentId: conversation.previousAgentId,
    previousAgentName: name(conversation.previousAgentId),
    queuedAt: iso(conversation.queuedAt),
    acceptedAt: iso(conversation.acceptedAt),
    lastMessageAt: iso(conversation.lastMessageAt),
    lastFanMessageAt: iso(conversation.lastFanMessageAt),
    lastAgentMessageAt: iso(conversation.lastAgentMessageAt),
    /** The 48-hour window: milliseconds left at `asOf`, and when it closes. */
    windowRemainingMs: windowMs,
    windowClosesAt: windowMs > 0 ? new Date(now.getTime() + windowMs).toISOString() : null,
    /** When an active conversation is released (30 minutes without a message) unless someone writes. */
    releaseAt: conversation.status === "active" ? releaseAt(conversation, timers).toISOString() : null,
    awaitingAgentSince: iso(conversation.awaitingAgentSince),
    /** The unanswered-fan alert went out and the fan is still waiting: any group member may take it over. */
    alerted: isAlertStanding(conversation),
    unreadCount: extras.unreadCount,
    lastMessage: extras.lastMessage
      ? { direction: extras.lastMessage.direction, kind: extras.lastMessage.kind, preview: messagePreview(extras.lastMessage), at: extras.lastMessage.createdAt.toISOString() }
      : null,
    lastFanMessage: extras.lastFanMessage
      ? { kind: extras.lastFanMessage.kind, preview: shortPreview(extras.lastFanMessage), at: extras.lastFanMessage.createdAt.toISOString() }
      : null,
    closedAt: iso(conversation.closedAt),
    closedBy: conversation.closedBy,
    closedByName: conversation.closedBy === "system" ? "系统" : name(conversation.closedBy),
    outcome: conversation.outcome,
    outcomeReason: conversation.outcomeReason,
    ratingRequestedAt: iso(conversation.ratingRequestedAt),
    rating: conversation.rating,
    ratedAt: iso(conversation.ratedAt),
    complaintId: conversation.complaintId,
    createdAt: iso(conversation.createdAt),
    updatedAt: iso(conversation.updatedAt),
    asOf: now.toISOString(),
  };
}

export type ConversationView = ReturnType<typeof presentConversation>;

/** Names of agents by id (deleted agents keep their name in history). */
export async function agentNames(manager: EntityManager, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id && id !== "system"))];
  if (wanted.length === 0) return new Map();
  const agents = await manager.getRepository(Agent).find({ select: { id: true, name: true }, where: { id: In(wanted) } });
  return new Map(agents.map((agent) => [agent.id, agent.name]));
}

/** Views of many conversations with a few batched queries (fans, names, unread counts, last messages). */
export async function loadConversationViews(manager: EntityManager, conversations: Conversation[], now: Date, timers: ConversationTimers): Promise<ConversationView[]> {
  if (conversations.length === 0) return [];
  const ids = conversations.map((c) => c.id);
  const openids = [...new Set(conversations.map((c) => c.fanOpenid))];
  const fans = await manager.getRepository(Fan).findBy({ openid: In(openids) });
  const fanOf = new Map(fans.map((fan) => [fan.openid, fan]));
  const names = await agentNames(
    manager,
    conversations.flatMap((c) => [c.agentId, c.previousAgentId, c.closedBy]),
  );

  const unreadRows: { conversation_id: string; n: string | number }[] = await manager.query(
    `SELECT m.conversation_id, COUNT(*) AS n FROM conversation_message m JOIN conversation c ON c.id = m.conversation_id
      WHERE m.conversation_id IN (${ids.map(() => "?").join(",")}) AND m.direction = 'in'
        AND (c.agent_read_at IS NULL OR m.created_at > c.agent_read_at)
      GROUP BY m.conversation_id`,
    ids,
  );
  const unread = new Map(unreadRows.map((row) => [row.conversation_id, Number(row.n)]));

  // Ids are time-ordered (UUIDv7), so the greatest id of a conversation is its latest message; the
  // fan's latest is the greatest id among incoming ones (automatic replies are outgoing).
  const latestIds: { conversation_id: string; id: string; fan_id: string | null }[] = await manager.query(
    `SELECT conversation_id, MAX(id) AS id, MAX(CASE WHEN direction = 'in' THEN id END) AS fan_id
       FROM conversation_message WHERE conversation_id IN (${ids.map(() => "?").join(",")}) GROUP BY conversation_id`,
    ids,
  );
  const wanted = [...new Set(latestIds.flatMap((row) => (row.fan_id ? [row.id, row.fan_id] : [row.id])))];
  const latest = wanted.length ? await manager.getRepository(ConversationMessage).findBy({ id: In(wanted) }) : [];
  const messageOf = new Map(latest.map((message) => [message.id, message]));
  const latestOf = new Map(latestIds.map((row) => [row.conversation_id, messageOf.get(row.id)]));
  const latestFanOf = new Map(latestIds.map((row) => [row.conversation_id, row.fan_id ? messageOf.get(row.fan_id) : undefined]));

  return conversations.map((conversation) =>
    presentConversation(
      conversation,
      {
        fan: fanOf.get(conversation.fanOpenid),
        names,
        unreadCount: conversation.status === "waiting" ? 0 : (unread.get(conversation.id) ?? 0),
        lastMessage: latestOf.get(conversation.id),
        lastFanMessage: latestFanOf.get(conversation.id),
      },
      now,
      timers,
    ),
  );
}

export async function loadConversationView(manager: EntityManager, id: string, now: Date, timers: ConversationTimers): Promise<ConversationView | null> {
  const conversation = await manager.getRepository(Conversation).findOneBy({ id });
  if (!conversation) return null;
  const [view] = await loadConversationViews(manager, [conversation], now, timers);
  return view;
}

/** A conversation's messages with their senders' names and delivery states, oldest first. */
export async function loadTranscript(manager: EntityManager, conversationId: string, limit = 2000): Promise<MessageView[]> {
  const messages = await manager.getRepository(ConversationMessage).find({
    where: { conversationId },
    order: { createdAt: "DESC", id: "DESC" },
    take: limit,
  });
  messages.reverse();
  const outboxIds = messages.map((m) => m.outboxId).filter((id): id is string => !!id);
  const outbox = outboxIds.length ? await manager.getRepository(OutboxMessage).findBy({ id: In(outboxIds) }) : [];
  const outboxOf = new Map(outbox.map((row) => [row.id, row]));
  const names = await agentNames(manager, messages.map((m) => m.agentId));
  return messages.map((message) =>
    presentMessage(message, message.agentId ? (names.get(message.agentId) ?? null) : null, message.outboxId ? outboxOf.get(message.outboxId) : null),
  );
}

export async function loadEvents(manager: EntityManager, conversationId: string): Promise<EventView[]> {
  const events = await manager.getRepository(ConversationEvent).find({ where: { conversationId }, order: { at: "ASC", id: "ASC" } });
  const names = await agentNames(manager, events.flatMap((e) => [e.agentId, e.targetAgentId]));
  return events.map((event) => presentEvent(event, names));
}
