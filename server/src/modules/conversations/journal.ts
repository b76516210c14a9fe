import type { EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { enqueueOutbound } from "../outbox/outbox";
import type { OutboxMessage } from "../outbox/outboxMessage.entity";
import type { CustomMessage } from "../../wechat/api/client";
import { Conversation, ConversationEvent, ConversationMessage, type ConversationEventType, type MessageDirection } from "./conversation.entity";
import type { AutomaticKind } from "./views";

/**
 * Writing a conversation's history: events (who did what), messages, and outgoing messages that travel
 * through the outbox in the same transaction (ref `conversation_message:<id>`, so delivery outcomes
 * find their message).
 */

export const MESSAGE_REF_PREFIX = "conversation_message:";

export async function recordEvent(
  manager: EntityManager,
  clock: Clock,
  event: { conversationId: string; type: ConversationEventType; agentId?: string | null; targetAgentId?: string | null; detail?: object | null },
): Promise<ConversationEvent> {
  const row = manager.getRepository(ConversationEvent).create({
    id: newId(),
    conversationId: event.conversationId,
    type: event.type,
    agentId: event.agentId ?? null,
    targetAgentId: event.targetAgentId ?? null,
    detail: event.detail ?? null,
    at: clock.now(),
  });
  await manager.getRepository(ConversationEvent).insert(row);
  return row;
}

export async function appendMessage(
  manager: EntityManager,
  message: {
    id?: string;
    conversationId: string;
    fanOpenid: string;
    direction: MessageDirection;
    agentId?: string | null;
    kind: string;
    content: string | null;
    media?: object | null;
    inboundMessageId?: string | null;
    outboxId?: string | null;
    createdAt: Date;
  },
): Promise<ConversationMessage> {
  const row = manager.getRepository(ConversationMessage).create({
    id: message.id ?? newId(),
    conversationId: message.conversationId,
    fanOpenid: message.fanOpenid,
    direction: message.direction,
    agentId: message.agentId ?? null,
    kind: message.kind,
    content: message.content,
    media: message.media ?? null,
    inboundMessageId: message.inboundMessageId ?? null,
    outboxId: message.outboxId ?? null,
    createdAt: message.createdAt,
  });
  await manager.getRepository(ConversationMessage).insert(row);
  return row;
}

/**
 * An outgoing customer-service message in the conversation: the transcript row and its outbox row.
 * `auto` marks texts the system sent (greeting, reminder, …): they do not count as the agent answering.
 */
export async function sendInConversation(
  manager: EntityManager,
  clock: Clock,
  conversation: Pick<Conversation, "id" | "fanOpenid">,
  content: { type: "text"; text: string } | { type: "image"; mediaId: string },
  options: { agentId?: string | null; auto?: AutomaticKind } = {},
): Promise<{ message: ConversationMessage; outbox: OutboxMessage }> {
  const id = newId();
  const message: CustomMessage =
    content.type === "text" ? { type: "text", toUser: conversation.fanOpenid, content: content.text } : { type: "image", toUser: conversation.fanOpenid, mediaId: content.mediaId };
  const outbox = await enqueueOutbound(manager, { kind: "custom", message, ref: `${MESSAGE_REF_PREFIX}${id}` }, clock);
  const media: Record<string, unknown> = {};
  if (content.type === "image") media.mediaId = content.mediaId;
  if (options.auto) media.auto = options.auto;
  const row = await appendMessage(manager, {
    id,
    conversationId: conversation.id,
    fanOpenid: conversation.fanOpenid,
    direction: "out",
    agentId: options.agentId ?? null,
    kind: content.type,
    content: content.type === "text" ? content.text : null,
    media: Object.keys(media).length ? media : null,
    outboxId: outbox.id,
    createdAt: clock.now(),
  });
  return { message: row, outbox };
}

/** A passive reply (answered in the callback itself) recorded in the transcript; nothing goes to the outbox. */
export function recordPassiveReply(manager: EntityManager, clock: Clock, conversation: Pick<Conversation, "id" | "fanOpenid">, text: string, auto: AutomaticKind) {
  return appendMessage(manager, {
    conversationId: conversation.id,
    fanOpenid: conversation.fanOpenid,
    direction: "out",
    kind: "text",
    content: text,
    media: { auto },
    createdAt: clock.now(),
  });
}
