import type { EntityManager } from "typeorm";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { badRequest, conflict, forbidden } from "../../http/errors";
import { createComplaint } from "../complaints/complaints";
import type { TranscriptLine } from "../complaints/complaint.entity";
import { Fan } from "../fans/fan.entity";
import { Conversation, ConversationMessage, type ConversationOutcome } from "./conversation.entity";
import { loadConversationSettings } from "./conversationSettings";
import { withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { CONVERSATION_CHANGED, findConversation } from "./commands";
import { recordEvent, sendInConversation } from "./journal";
import { newRatingToken, sendRatingRequest } from "./ratings";
import { agentNames, loadConversationView, type ConversationView } from "./views";

/**
 * Ending conversations: close with an outcome (resolved → rating request; unresolved → a complaint
 * ticket with the transcript; refused → a required reason kept for audit), the timers' automatic close,
 * and asking for a rating at any time (索要评分).
 */

export type CloseOutcome = Exclude<ConversationOutcome, "timeout">;

/** The transcript as complaint lines, with who spoke. */
export async function transcriptOf(manager: EntityManager, conversation: Conversation): Promise<TranscriptLine[]> {
  const messages = await manager.getRepository(ConversationMessage).find({ where: { conversationId: conversation.id }, order: { createdAt: "ASC", id: "ASC" } });
  const fan = await manager.getRepository(Fan).findOneBy({ openid: conversation.fanOpenid });
  const names = await agentNames(manager, messages.map((m) => m.agentId));
  const fanName = fan?.remark || fan?.nickname || "粉丝";
  return messages.map((message) => ({
    at: message.createdAt.toISOString(),
    direction: message.direction,
    speaker: message.direction === "in" ? fanName : message.agentId ? (names.get(message.agentId) ?? "客服") : "系统",
    kind: message.kind,
    content: message.content ?? (message.kind === "image" ? "[图片]" : `[${message.kind}]`),
  }));
}

/**
 * Closes a conversation: its agent (active or expired), or a supervisor (any open one, waiting too).
 * `closedBy` is the actor's id, or "system" for the timers' automatic close.
 */
export async function closeConversation(
  deps: ConversationDeps,
  actor: ConsoleActor | "system",
  id: string,
  input: {
    outcome: ConversationOutcome;
    reason?: string | null;
    /** The timers' close: only if nothing changed since they looked. */
    expectVersion?: number;
    /** Any agent may end it (blacklisting the fan ends their conversation whoever serves it). */
    anyAgent?: boolean;
  },
): Promise<ConversationView | null> {
  const now = deps.clock.now();
  const reason = input.reason?.trim() || null;
  if (input.outcome === "refused" && !reason) throw badRequest("reason_required", "拒绝服务必须填写原因");
  const settings = await loadConversationSettings(deps.settings);

  const closed = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, id);
    if (input.expectVersion !== undefined && conversation.version !== input.expectVersion) return null;
    if (conversation.status === "closed") throw conflict("conversation_closed", "会话已结束");
    if (actor !== "system" && !input.anyAgent) {
      const own = conversation.agentId === actor.id && conversation.status !== "waiting";
      if (!own && !isAtLeast(actor, "supervisor")) throw forbidden("只能结束自己接待的会话");
    }
    const changes: Partial<Conversation> = {
      status: "closed",
      openFanOpenid: null,
      closedAt: now,
      closedBy: actor === "system" ? "system" : actor.id,
      outcome: input.outcome,
      outcomeReason: reason,
    };
    let complaintId: string | null = null;
    // Already turned into a ticket during the conversation (转投诉): that ticket stands, no second one.
    if (input.outcome === "unresolved" && conversation.complaintId) complaintId = conversation.complaintId;
    else if (input.outcome === "unresolved") {
      const complaint = await createComplaint(
        manager,
        {
          fanOpenid: conversation.fanOpenid,
          source: "conversation",
          conversationId: conversation.id,
          title: `客服会话未解决（${now.toISOString().slice(0, 10)}）`,
          content: reason ?? "客服会话未能解决粉丝的问题，已转为投诉工单。",
          transcript: await transcriptOf(manager, conversation),
        },
        deps.clock,
      );
      complaintId = complaint.id;
      changes.complaintId = complaint.id;
    }
    const token = input.outcome === "resolved" ? (conversation.ratingToken ?? newRatingToken()) : null;
    if (token && conversation.rating === null) {
      changes.ratingRequestedAt = now;
      changes.ratingToken = token;
    }
    const result = await manager
      .getRepository(Conversation)
      .update({ id, version: conversation.version, status: conversation.status }, { ...changes, version: () => "version + 1", updatedAt: now });
    if (!result.affected) {
      if (input.expectVersion !== undefined) return null;
      throw CONVERSATION_CHANGED();
    }
    await recordEvent(manager, deps.clock, {
      conversationId: id,
      type: "closed",
      agentId: actor === "system" ? null : actor.id,
      detail: { outcome: input.outcome, reason, complaintId, fromStatus: conversation.status },
    });
    let enqueued = false;
    if (token && conversation.rating === null) {
      await sendRatingRequest(deps, manager, conversation, token, conversation.agentId);
      await recordEvent(manager, deps.clock, { conversationId: id, type: "rating_requested", agentId: actor === "system" ? null : actor.id });
      enqueued = true;
    }
    if (input.outcome === "timeout" && settings.autoCloseText.trim()) {
      await sendInConversation(manager, deps.clock, conversation, { type: "text", text: settings.autoCloseText.trim() }, { auto: "auto_close" });
      enqueued = true;
    }
    return { conversation, enqueued };
  });
  if (!closed) return null;
  if (closed.enqueued) deps.wakeOutbox();
  const view = (await loadConversationView(deps.dataSource.manager, id, now, settings.timers))!;
  const pushes = new Pushes().toSupervisors("conversation:updated", view).toAgent(closed.conversation.agentId, "conversation:updated", view);
  if (closed.conversation.status === "waiting") pushes.toAllAgents("queue:removed", view);
  await pushes.flush(deps.realtime, deps.logger);
  deps.kickAssigner();
  return view;
}

/** 索要评分: the agent asks the fan for a rating during the conversation (a fresh request once per conversation until rated). */
export async function requestRating(deps: ConversationDeps, actor: ConsoleActor, id: string): Promise<ConversationView> {
  const now = deps.clock.now();
  const settings = await loadConversationSettings(deps.settings);
  await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, id);
    if (conversation.agentId !== actor.id) throw forbidden("只能在自己接待的会话中邀请评价");
    if (conversation.status !== "active") throw conflict("not_active", conversation.status === "expired" ? "会话已超时，请重新接入" : "只能在接待中的会话邀请评价");
    if (conversation.rating !== null) throw conflict("already_rated", "粉丝已对本次会话评价");
    const token = conversation.ratingToken ?? newRatingToken();
    const result = await manager
      .getRepository(Conversation)
      .update({ id, version: conversation.version }, { ratingRequestedAt: now, ratingToken: token, version: () => "version + 1", updatedAt: now });
    if (!result.affected) throw CONVERSATION_CHANGED();
    await sendRatingRequest(deps, manager, conversation, token, actor.id);
    await recordEvent(manager, deps.clock, { conversationId: id, type: "rating_requested", agentId: actor.id });
  });
  deps.wakeOutbox();
  const view = (await loadConversationView(deps.dataSource.manager, id, now, settings.timers))!;
  await new Pushes().toSupervisors("conversation:updated", view).flush(deps.realtime, deps.logger);
  return view;
}
