import type { EntityManager } from "typeorm";
import { newId } from "../../infra/ids";
import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import { Agent } from "../agents/agent.entity";
import { createLeaveMessage, loadLeaveMessageView } from "../customers/leaveMessages";
import { Fan } from "../fans/fan.entity";
import type { ReplyHook } from "../inbox/inbox";
import { Conversation, KeywordRule } from "./conversation.entity";
import { loadConversationSettings, type ConversationSettings } from "./conversationSettings";
import { isDuplicateKey, lockingQuery, withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { appendMessage, recordEvent, recordPassiveReply, sendInConversation } from "./journal";
import { rateByReply } from "./ratings";
import { isHumanRequest, isWithinServiceHours, matchKeyword, parseRatingReply } from "./rules";
import { agentNames, loadConversationView, presentMessage } from "./views";

/**
 * Routes a fan's message (text, image, voice, video, location, link) to human service:
 *
 *   blacklisted → the blacklist reply, nothing queued
 *   1–5 answering an open rating request → the rating, and thanks
 *   active conversation → appended, pushed to its agent (its timers restart); an away agent's away reply
 *   keyword rule → its reply (before the queue)
 *   outside service hours → a leave-message and the off-hours reply
 *   waiting conversation → appended (人工 again → the queued text)
 *   expired conversation → back to the waiting queue, its agent kept as the previous agent
 *   otherwise → a new waiting conversation (FIFO) and `queue:added` to every agent
 *
 * Idempotent per inbound message: the fan's message is stored with the inbound id as primary key, so a
 * second run (the inbox sweep after a crash) hits the duplicate key and changes nothing.
 */

const OPEN_FAN_INDEX = { mysql: "ux_conversation_open_fan", sqlite: "conversation.open_fan_openid" };
/** One off-hours reply per fan per this interval, however many messages they leave. */
const OFF_HOURS_REPLY_INTERVAL_MS = 30 * 60_000;

export interface FanMessageContent {
  kind: string;
  content: string | null;
  media: Record<string, unknown> | null;
}

/** The transcript form of a fan's message; null for events and anything else that is not a message. */
export function fanMessageContent(message: InboundMessage): FanMessageContent | null {
  switch (message.kind) {
    case "text":
      return { kind: "text", content: message.content, media: null };
    case "image":
      return { kind: "image", content: null, media: { picUrl: message.picUrl, mediaId: message.mediaId } };
    case "voice":
      return { kind: "voice", content: message.recognition ?? null, media: { mediaId: message.mediaId, format: message.format, recognition: message.recognition ?? null } };
    case "video":
    case "shortvideo":
      return { kind: message.kind, content: null, media: { mediaId: message.mediaId, thumbMediaId: message.thumbMediaId } };
    case "location":
      return { kind: "location", content: message.label, media: { latitude: message.latitude, longitude: message.longitude, scale: message.scale, label: message.label } };
    case "link":
      return { kind: "link", content: message.title, media: { title: message.title, description: message.description, url: message.url } };
    default:
      return null;
  }
}

/**
 * Messages another module answers itself (e.g. 查水费, the water module): they are not routed to human
 * service. Modules register a predicate with addConversationBypass; the router asks them first.
 */
export const CONVERSATION_BYPASS_SERVICE = "conversations.bypass";
export type ConversationBypass = (message: InboundMessage) => boolean;

export function addConversationBypass(services: Map<string, unknown>, bypass: ConversationBypass): void {
  const list = (services.get(CONVERSATION_BYPASS_SERVICE) as ConversationBypass[] | undefined) ?? [];
  services.set(CONVERSATION_BYPASS_SERVICE, [...list, bypass]);
}

export function conversationReplyHook(deps: ConversationDeps): ReplyHook {
  return async (message, context) => {
    const content = fanMessageContent(message);
    if (!content) return null;
    const bypasses = (deps.services.get(CONVERSATION_BYPASS_SERVICE) as ConversationBypass[] | undefined) ?? [];
    if (bypasses.some((bypass) => bypass(message))) return null;
    return routeFanMessage(deps, message, content, context.inboundId);
  };
}

interface RouteInput {
  openid: string;
  inboundId: string;
  content: FanMessageContent;
  /** The fan's text (voice recognition does not count: keywords and 人工 are typed). */
  text: string | null;
  settings: ConversationSettings;
  now: Date;
  ratingAnswered: boolean;
  keywordReply: string | null;
  inService: boolean;
}

interface RouteResult {
  reply: string | null;
  pushes: Pushes;
  enqueued: boolean;
  queued: boolean;
}

async function routeFanMessage(deps: ConversationDeps, message: InboundMessage, content: FanMessageContent, inboundId: string): Promise<PassiveReply | null> {
  const openid = message.fromUserName;
  const now = deps.clock.now();
  const settings = await loadConversationSettings(deps.settings);
  const fan = await deps.dataSource.getRepository(Fan).findOneBy({ openid });
  if (fan?.blacklisted) return textReply(settings.blacklistReply);

  const text = message.kind === "text" ? message.content : null;
  const score = text !== null ? parseRatingReply(text) : null;
  const rating = score !== null ? await rateByReply(deps, openid, score, inboundId) : "none";
  if (rating === "handled") return null;
  const ratingAnswered = rating === "recorded";

  let keywordReply: string | null = null;
  if (text !== null && !ratingAnswered) {
    const rules = await deps.dataSource.getRepository(KeywordRule).find({ where: { enabled: true }, order: { position: "ASC" } });
    keywordReply = matchKeyword(text, rules)?.reply ?? null;
  }
  const input: RouteInput = {
    openid,
    inboundId,
    content,
    text,
    settings,
    now,
    ratingAnswered,
    keywordReply,
    inService: isWithinServiceHours(now, settings.serviceHours),
  };

  for (let attempt = 1; ; attempt++) {
    let result: RouteResult;
    try {
      result = await withTransaction(deps.dataSource, (manager) => routeInTransaction(deps, manager, input));
    } catch (error) {
      // Another message of the same fan opened a conversation a moment earlier: route again, into it.
      if (attempt < 3 && isDuplicateKey(error, OPEN_FAN_INDEX)) continue;
      // This very message was routed before (its row exists): nothing more to do.
      if (isDuplicateKey(error)) return null;
      throw error;
    }
    await result.pushes.flush(deps.realtime, deps.logger);
    if (result.enqueued) deps.wakeOutbox();
    if (result.queued) deps.kickAssigner();
    return textReply(result.reply);
  }
}

function textReply(text: string | null): PassiveReply | null {
  const trimmed = text?.trim();
  return trimmed ? { type: "text", content: trimmed } : null;
}

async function routeInTransaction(deps: ConversationDeps, manager: EntityManager, input: RouteInput): Promise<RouteResult> {
  const { openid, now, settings } = input;
  const result: RouteResult = { reply: null, pushes: new Pushes(), enqueued: false, queued: false };
  const repository = manager.getRepository(Conversation);
  const open = await lockingQuery(manager, Conversation, "c").where("c.open_fan_openid = :openid", { openid }).getOne();
  const view = (id: string) => () => loadConversationView(deps.dataSource.manager, id, now, settings.timers);

  const append = async (conversation: Conversation) => {
    const row = await appendMessage(manager, {
      id: input.inboundId,
      conversationId: conversation.id,
      fanOpenid: openid,
      direction: "in",
      kind: input.content.kind,
      content: input.content.content,
      media: input.content.media,
      inboundMessageId: input.inboundId,
      createdAt: now,
    });
    return presentMessage(row, null, null);
  };

  if (open?.status === "active") {
    const message = await append(open);
    await repository.update(
      { id: open.id },
      { lastMessageAt: now, lastFanMessageAt: now, awaitingAgentSince: open.awaitingAgentSince ?? now, version: () => "version + 1", updatedAt: now },
    );
    const payload = { conversationId: open.id, message };
    result.pushes.toAgent(open.agentId, "conversation:message", payload).toSupervisors("conversation:message", payload);
    await sendAwayReply(deps, manager, open, result);
    if (input.ratingAnswered) {
      result.reply = settings.ratingThanksText;
      if (result.reply.trim()) await recordPassiveReply(manager, deps.clock, open, result.reply.trim(), "rating_thanks");
    }
    return result;
  }

  if (open?.status === "waiting") {
    const message = await append(open);
    await repository.update({ id: open.id }, { lastMessageAt: now, lastFanMessageAt: now, version: () => "version + 1", updatedAt: now });
    result.pushes.toAllAgents("conversation:message", { conversationId: open.id, message });
    if (input.ratingAnswered) result.reply = settings.ratingThanksText;
    else if (input.keywordReply) result.reply = input.keywordReply;
    else if (input.text !== null && isHumanRequest(input.text)) result.reply = settings.queuedText;
    if (result.reply && !input.ratingAnswered) await recordPassiveReply(manager, deps.clock, open, result.reply, input.keywordReply ? "keyword" : "queued");
    return result;
  }

  if (input.ratingAnswered) {
    result.reply = settings.ratingThanksText;
    return result;
  }
  if (input.keywordReply) {
    result.reply = input.keywordReply;
    return result;
  }

  if (!input.inService) {
    const leave = await createLeaveMessage(manager, {
      id: input.inboundId,
      fanOpenid: openid,
      kind: input.content.kind,
      content: input.content.content,
      media: input.content.media,
      createdAt: now,
    });
    result.pushes.toAllAgents("leave:new", () => loadLeaveMessageView(deps.dataSource.manager, leave.id, now));
    if (await deps.kv.setIfAbsent(`conversations:off-hours-replied:${openid}`, "1", OFF_HOURS_REPLY_INTERVAL_MS)) {
      result.reply = settings.offHoursReply;
    }
    return result;
  }

  let conversation: Conversation;
  if (open?.status === "expired") {
    conversation = open;
    await append(open);
    await repository.update(
      { id: open.id },
      {
        status: "waiting",
        agentId: null,
        previousAgentId: open.agentId,
        queuedAt: now,
        acceptedAt: null,
        lastMessageAt: now,
        lastFanMessageAt: now,
        awaitingAgentSince: now,
        agentAlertedAt: null,
        fanRemindedAt: null,
        agentReadAt: null,
        version: () => "version + 1",
        updatedAt: now,
      },
    );
    await recordEvent(manager, deps.clock, { conversationId: open.id, type: "queued", detail: { previousAgentId: open.agentId, reason: "fan_returned" } });
    result.pushes.toAgent(open.agentId, "conversation:updated", view(open.id));
  } else {
    const id = newId();
    conversation = repository.create({
      id,
      fanOpenid: openid,
      openFanOpenid: openid,
      status: "waiting",
      agentId: null,
      previousAgentId: null,
      version: 1,
      queuedAt: now,
      acceptedAt: null,
      lastMessageAt: now,
      lastFanMessageAt: now,
      lastAgentMessageAt: null,
      awaitingAgentSince: now,
      agentReadAt: null,
      agentAlertedAt: null,
      fanRemindedAt: null,
      closedAt: null,
      closedBy: null,
      outcome: null,
      outcomeReason: null,
      ratingRequestedAt: null,
      ratingToken: null,
      rating: null,
      ratedAt: null,
      complaintId: null,
      createdAt: now,
      updatedAt: now,
    });
    // The message first: a second run of the same inbound message stops at its duplicate key.
    await append(conversation);
    await repository.insert(conversation);
    await recordEvent(manager, deps.clock, { conversationId: id, type: "queued", detail: { reason: input.text !== null && isHumanRequest(input.text) ? "human_requested" : "new_message" } });
  }
  result.pushes.toAllAgents("queue:added", view(conversation.id));
  result.queued = true;
  result.reply = settings.queuedText;
  if (settings.queuedText.trim()) await recordPassiveReply(manager, deps.clock, conversation, settings.queuedText.trim(), "queued");
  return result;
}

/** The away reply, once per away spell of the agent per conversation, through the outbox. */
async function sendAwayReply(deps: ConversationDeps, manager: EntityManager, conversation: Conversation, result: RouteResult): Promise<void> {
  if (!conversation.agentId) return;
  const agent = await manager.getRepository(Agent).findOneBy({ id: conversation.agentId });
  const text = agent?.settings?.awayReply?.trim();
  if (!agent || agent.status !== "away" || !text) return;
  const spell = agent.statusChangedAt?.getTime() ?? 0;
  if (!(await deps.kv.setIfAbsent(`conversations:away-replied:${conversation.id}:${spell}`, "1", 12 * 3600_000))) return;
  const { message, outbox } = await sendInConversation(manager, deps.clock, conversation, { type: "text", text }, { agentId: agent.id, auto: "away" });
  const names = await agentNames(manager, [agent.id]);
  const payload = { conversationId: conversation.id, message: presentMessage(message, names.get(agent.id) ?? null, outbox) };
  result.pushes.toAgent(agent.id, "conversation:message", payload).toSupervisors("conversation:message", payload);
  result.enqueued = true;
}
