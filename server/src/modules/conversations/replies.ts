import type { EntityManager } from "typeorm";
import { sqlDate } from "../../infra/db/dataSource";
import { newId } from "../../infra/ids";
import type { ConsoleActor } from "../../http/console/auth";
import { conflict, forbidden, HttpError, notFound } from "../../http/errors";
import { LEAVE_REF_PREFIX } from "../customers/leaveMessages";
import { Fan } from "../fans/fan.entity";
import type { SettledListener } from "../outbox/dispatcher";
import { enqueueOutbound } from "../outbox/outbox";
import { OutboxMessage } from "../outbox/outboxMessage.entity";
import { customMessageAllowance, type FanInteractions, type QuotaRules } from "../outbox/replyWindow";
import type { Settings } from "../settings/settings";
import { Conversation, ConversationMessage } from "./conversation.entity";
import { loadConversationSettings } from "./conversationSettings";
import { lockingQuery, withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { appendMessage, MESSAGE_REF_PREFIX, sendInConversation } from "./journal";
import { CHINA_UTC_OFFSET_MS, replyDecision } from "./rules";
import { presentMessage, type MessageView } from "./views";

/**
 * Agents' messages to fans: a text or an image in their own active conversation within the 48-hour
 * window (and the send quota), or — once the window has closed — the fallback template message.
 * The transcript row and the outbox row are written in one transaction.
 */

export type AgentMessageInput = { kind: "text"; content: string } | { kind: "image"; mediaId: string };

async function quotaRules(settings: Settings): Promise<QuotaRules> {
  return {
    afterMessage: { count: await settings.get("quota.afterMessage.count"), windowMs: (await settings.get("quota.afterMessage.windowMinutes")) * 60_000 },
    afterEvent: { count: await settings.get("quota.afterEvent.count"), windowMs: (await settings.get("quota.afterEvent.windowMinutes")) * 60_000 },
  };
}

/**
 * Customer-service messages to the fan since a grant, counting those still waiting in the outbox: the
 * dispatcher would refuse the one that exceeds the quota, so the console is told at once instead.
 */
async function usedSince(manager: EntityManager, openid: string, at: Date | null): Promise<number> {
  if (!at) return 0;
  const value = sqlDate(manager.connection, at);
  const row = await manager
    .getRepository(OutboxMessage)
    .createQueryBuilder("o")
    .where("o.fan_openid = :openid AND o.kind = 'custom'", { openid })
    .andWhere("((o.status IN ('pending', 'sending') AND o.created_at >= :at) OR (o.status = 'sent' AND o.sent_at >= :at))", { at: value })
    .getCount();
  return row;
}

export async function sendAgentMessage(deps: ConversationDeps, actor: ConsoleActor, id: string, input: AgentMessageInput): Promise<MessageView> {
  const now = deps.clock.now();
  const rules = await quotaRules(deps.settings);
  const view = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await lockingQuery(manager, Conversation, "c").where("c.id = :id", { id }).getOne();
    if (!conversation) throw notFound("会话不存在");
    const fan = await manager.getRepository(Fan).findOneBy({ openid: conversation.fanOpenid });
    const interactions: FanInteractions = fan ?? { lastMessageAt: null, lastEventAt: null, lastInteractionAt: null };
    const decision = replyDecision(conversation, actor.id, interactions, now);
    if (!decision.ok) throw new HttpError(decision.status, decision.code, decision.message);
    const allowance = customMessageAllowance(
      interactions,
      { lastMessage: await usedSince(manager, conversation.fanOpenid, interactions.lastMessageAt), lastEvent: await usedSince(manager, conversation.fanOpenid, interactions.lastEventAt) },
      now,
      rules,
    );
    if (!allowance.allowed) throw conflict(allowance.reason, allowance.message);

    const content = input.kind === "text" ? { type: "text" as const, text: input.content } : { type: "image" as const, mediaId: input.mediaId };
    const { message, outbox } = await sendInConversation(manager, deps.clock, conversation, content, { agentId: actor.id });
    await manager.getRepository(Conversation).update(
      { id },
      { lastMessageAt: now, lastAgentMessageAt: now, awaitingAgentSince: null, agentReadAt: now, version: () => "version + 1", updatedAt: now },
    );
    return presentMessage(message, actor.name, outbox);
  });
  deps.wakeOutbox();
  const payload = { conversationId: id, message: view };
  await new Pushes().toAgent(actor.id, "conversation:message", payload).toSupervisors("conversation:message", payload).flush(deps.realtime, deps.logger);
  return view;
}

/** "2026-03-02 10:05" in China time, for template data. */
export function chinaDateTime(at: Date): string {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

/** A template `thing` value holds at most 20 characters. */
function shorten(text: string, max = 20): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * The template message offered when the 48-hour window has closed (template messages are not bound to
 * it). Uses the admin's fallback template: its content key carries the text (≤20 characters, the full
 * text stays in the transcript), its time key the time.
 */
export async function sendTemplateFallback(deps: ConversationDeps, actor: ConsoleActor, id: string, input: { content: string }): Promise<MessageView> {
  const now = deps.clock.now();
  const settings = await loadConversationSettings(deps.settings);
  const template = settings.fallbackTemplate;
  if (!template.id.trim()) throw conflict("template_not_configured", "尚未配置备用模板消息，请联系管理员在设置中填写模板ID");
  const view = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await lockingQuery(manager, Conversation, "c").where("c.id = :id", { id }).getOne();
    if (!conversation) throw notFound("会话不存在");
    if (conversation.agentId !== actor.id) throw forbidden("只能在自己接待的会话中发送");
    if (conversation.status !== "active" && conversation.status !== "expired") throw conflict("conversation_closed", "会话已结束");
    const messageId = newId();
    const outbox = await enqueueOutbound(
      manager,
      {
        kind: "template",
        template: {
          toUser: conversation.fanOpenid,
          templateId: template.id.trim(),
          data: { [template.contentKey]: { value: shorten(input.content) }, [template.timeKey]: { value: chinaDateTime(now) } },
        },
        ref: `${MESSAGE_REF_PREFIX}${messageId}`,
      },
      deps.clock,
    );
    const message = await appendMessage(manager, {
      id: messageId,
      conversationId: id,
      fanOpenid: conversation.fanOpenid,
      direction: "out",
      agentId: actor.id,
      kind: "template",
      content: input.content,
      media: { templateId: template.id.trim() },
      outboxId: outbox.id,
      createdAt: now,
    });
    await manager.getRepository(Conversation).update(
      { id },
      { lastMessageAt: now, lastAgentMessageAt: now, awaitingAgentSince: null, agentReadAt: now, version: () => "version + 1", updatedAt: now },
    );
    return presentMessage(message, actor.name, outbox);
  });
  deps.wakeOutbox();
  const payload = { conversationId: id, message: view };
  await new Pushes().toAgent(actor.id, "conversation:message", payload).toSupervisors("conversation:message", payload).flush(deps.realtime, deps.logger);
  return view;
}

/**
 * Tells the agent at once when one of their conversation's messages (or a leave-message reply) was
 * refused or failed, with WeChat's errcode and the reason the outbox recorded.
 */
export function deliveryFailureListener(deps: ConversationDeps): SettledListener {
  return (row, outcome) => {
    if (outcome.status === "sent" || !row.ref) return;
    notifyDeliveryFailure(deps, row, outcome).catch((error) => deps.logger.error({ err: error, outboxId: row.id }, "could not report a delivery failure"));
  };
}

async function notifyDeliveryFailure(deps: ConversationDeps, row: OutboxMessage, outcome: Parameters<SettledListener>[1]): Promise<void> {
  const pushes = new Pushes();
  const base = { outboxId: row.id, status: outcome.status, errcode: outcome.errcode ?? null, reason: outcome.error ?? null };
  if (row.ref!.startsWith(MESSAGE_REF_PREFIX)) {
    const messageId = row.ref!.slice(MESSAGE_REF_PREFIX.length);
    const message = await deps.dataSource.getRepository(ConversationMessage).findOneBy({ id: messageId });
    if (!message) return;
    const conversation = await deps.dataSource.getRepository(Conversation).findOneBy({ id: message.conversationId });
    const payload = { ...base, conversationId: message.conversationId, messageId };
    const recipients = new Set([message.agentId, conversation?.agentId].filter((id): id is string => !!id));
    for (const agentId of recipients) pushes.toAgent(agentId, "delivery:failed", payload);
  } else if (row.ref!.startsWith(LEAVE_REF_PREFIX)) {
    const [, leaveMessageId, agentId] = row.ref!.split(":");
    pushes.toAgent(agentId, "delivery:failed", { ...base, leaveMessageId });
  }
  await pushes.flush(deps.realtime, deps.logger);
}
