import type { EntityManager } from "typeorm";
import { IsNull } from "typeorm";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { conflict, forbidden, HttpError, notFound } from "../../http/errors";
import { Agent } from "../agents/agent.entity";
import { Conversation, type ConversationStatus } from "./conversation.entity";
import { fillTemplate, loadConversationSettings } from "./conversationSettings";
import { withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { recordEvent, sendInConversation } from "./journal";
import { acceptDecision, isAlertStanding } from "./rules";
import { loadConversationView, type ConversationView } from "./views";

/**
 * Taking conversations: accept and re-accept, supervisor dispatch, transfer (and forced transfer), taking
 * over an alerted conversation, and releasing. Each is one conditional update on the conversation's
 * version (of several agents racing, exactly one matches), inside a transaction with its event and any
 * message to the fan; realtime pushes go out after the commit.
 */

export const CONVERSATION_CHANGED = () => conflict("conversation_changed", "会话状态已变化，请刷新后重试");

export async function findConversation(manager: EntityManager, id: string): Promise<Conversation> {
  const conversation = await manager.getRepository(Conversation).findOneBy({ id });
  if (!conversation) throw notFound("会话不存在");
  return conversation;
}

/** A conditional update guarded by the version the caller read: false when anything changed meanwhile. */
async function updateIfUnchanged(manager: EntityManager, conversation: Conversation, changes: Partial<Conversation>, now: Date): Promise<boolean> {
  const result = await manager
    .getRepository(Conversation)
    .update({ id: conversation.id, version: conversation.version, status: conversation.status }, { ...changes, version: () => "version + 1", updatedAt: now });
  return !!result.affected;
}

/** The fields that start an agent's turn: the alert and reminder clocks restart with the new agent. */
function takeOverFields(conversation: Conversation, agentId: string, now: Date): Partial<Conversation> {
  return {
    status: "active",
    agentId,
    acceptedAt: now,
    awaitingAgentSince: conversation.awaitingAgentSince ? now : null,
    agentAlertedAt: null,
    fanRemindedAt: null,
    agentReadAt: conversation.agentId === agentId ? conversation.agentReadAt : null,
  };
}

/** A colleague a conversation may be given to: an existing agent who is online now. */
async function onlineAgent(manager: EntityManager, id: string): Promise<Agent> {
  const agent = await manager.getRepository(Agent).findOneBy({ id, deletedAt: IsNull() });
  if (!agent) throw notFound("目标客服不存在");
  if (agent.status !== "online") throw conflict("agent_not_online", `客服${agent.name}当前不在线，无法接收会话`);
  return agent;
}

async function sendGreeting(deps: ConversationDeps, manager: EntityManager, conversation: Conversation, agentId: string): Promise<boolean> {
  const agent = await manager.getRepository(Agent).findOneBy({ id: agentId });
  const greeting = agent?.settings?.greeting?.trim();
  if (!greeting) return false;
  await sendInConversation(manager, deps.clock, conversation, { type: "text", text: greeting }, { agentId, auto: "greeting" });
  return true;
}

async function viewOf(deps: ConversationDeps, id: string, now: Date): Promise<ConversationView> {
  const settings = await loadConversationSettings(deps.settings);
  return (await loadConversationView(deps.dataSource.manager, id, now, settings.timers))!;
}

/**
 * Accepts a waiting conversation (anyone), or re-accepts an expired one (its own agent only). Two agents
 * racing: one wins, the other gets 409 with a Chinese message. The greeting goes out on a first accept.
 */
export async function acceptConversation(deps: ConversationDeps, actor: ConsoleActor, id: string): Promise<ConversationView> {
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    const outcome = await withTransaction(deps.dataSource, async (manager) => {
      const conversation = await findConversation(manager, id);
      const decision = acceptDecision(conversation, actor.id);
      if (!decision.ok) throw new HttpError(decision.status, decision.code, decision.message);
      if (!(await updateIfUnchanged(manager, conversation, takeOverFields(conversation, actor.id, now), now))) return null;
      await recordEvent(manager, deps.clock, {
        conversationId: id,
        type: decision.kind === "reaccept" ? "reaccepted" : "accepted",
        agentId: actor.id,
        detail: conversation.previousAgentId && conversation.status === "waiting" ? { previousAgentId: conversation.previousAgentId } : null,
      });
      const greeted = conversation.status === "waiting" && decision.kind === "accept" ? await sendGreeting(deps, manager, conversation, actor.id) : false;
      return { wasWaiting: conversation.status === "waiting", greeted };
    });
    // Lost a race (or the fan wrote meanwhile): the next round says who won, or tries again.
    if (!outcome) {
      if (attempt >= 3) throw CONVERSATION_CHANGED();
      continue;
    }
    if (outcome.greeted) deps.wakeOutbox();
    const view = await viewOf(deps, id, now);
    const pushes = new Pushes().toAgent(actor.id, "conversation:assigned", view).toSupervisors("conversation:updated", view);
    if (outcome.wasWaiting) pushes.toAllAgents("queue:removed", view);
    await pushes.flush(deps.realtime, deps.logger);
    return view;
  }
}

/** A supervisor gives a waiting conversation to an online agent. */
export async function dispatchConversation(deps: ConversationDeps, actor: ConsoleActor, id: string, toAgentId: string): Promise<ConversationView> {
  if (!isAtLeast(actor, "supervisor")) throw forbidden("只有组长或管理员可以分配会话");
  const now = deps.clock.now();
  const greeted = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, id);
    if (conversation.status !== "waiting") throw conflict("not_waiting", "只能分配排队中的会话");
    const target = await onlineAgent(manager, toAgentId);
    if (!(await updateIfUnchanged(manager, conversation, takeOverFields(conversation, target.id, now), now))) throw CONVERSATION_CHANGED();
    await recordEvent(manager, deps.clock, { conversationId: id, type: "dispatched", agentId: actor.id, targetAgentId: target.id });
    return sendGreeting(deps, manager, conversation, target.id);
  });
  if (greeted) deps.wakeOutbox();
  const view = await viewOf(deps, id, now);
  await new Pushes()
    .toAgent(toAgentId, "conversation:assigned", view)
    .toAllAgents("queue:removed", view)
    .toSupervisors("conversation:updated", view)
    .flush(deps.realtime, deps.logger);
  return view;
}

/**
 * Transfers a conversation to an online colleague: the agent their own active conversation, a
 * supervisor any active or expired one (forced). The fan is told when the setting says so.
 */
export async function transferConversation(deps: ConversationDeps, actor: ConsoleActor, id: string, input: { toAgentId: string; note?: string }): Promise<ConversationView> {
  const now = deps.clock.now();
  const settings = await loadConversationSettings(deps.settings);
  const { fromAgentId, noticeSent } = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, id);
    const own = conversation.agentId === actor.id;
    if (!own && !isAtLeast(actor, "supervisor")) throw forbidden("只能转接自己接待的会话");
    const allowed: ConversationStatus[] = own ? ["active"] : ["active", "expired"];
    if (!allowed.includes(conversation.status)) {
      throw conflict("not_transferable", conversation.status === "expired" ? "会话已超时，请重新接入后再转接" : "只能转接接待中的会话");
    }
    if (input.toAgentId === conversation.agentId) throw conflict("same_agent", "会话已由该客服接待");
    const target = await onlineAgent(manager, input.toAgentId);
    if (!(await updateIfUnchanged(manager, conversation, takeOverFields(conversation, target.id, now), now))) throw CONVERSATION_CHANGED();
    await recordEvent(manager, deps.clock, {
      conversationId: id,
      type: "transferred",
      agentId: actor.id,
      targetAgentId: target.id,
      detail: { fromAgentId: conversation.agentId, forced: !own, ...(input.note ? { note: input.note } : {}) },
    });
    let sent = false;
    if (settings.transferNotice.enabled && settings.transferNotice.text.trim()) {
      const text = fillTemplate(settings.transferNotice.text.trim(), { agent: target.name });
      await sendInConversation(manager, deps.clock, conversation, { type: "text", text }, { auto: "transfer" });
      sent = true;
    }
    return { fromAgentId: conversation.agentId, noticeSent: sent };
  });
  if (noticeSent) deps.wakeOutbox();
  const view = await viewOf(deps, id, now);
  await new Pushes()
    .toAgent(input.toAgentId, "conversation:assigned", view)
    .toAgent(fromAgentId, "conversation:updated", view)
    .toSupervisors("conversation:updated", view)
    .flush(deps.realtime, deps.logger);
  return view;
}

/**
 * After the unanswered-fan alert, a member of the agent's group (or a supervisor) takes the
 * conversation over. Only while the alert stands: once the agent answers, it is theirs again.
 */
export async function takeOverConversation(deps: ConversationDeps, actor: ConsoleActor, id: string): Promise<ConversationView> {
  const now = deps.clock.now();
  const fromAgentId = await withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, id);
    if (conversation.status !== "active" || conversation.agentId === actor.id) throw conflict("not_alerted", "该会话无需接管");
    if (!isAlertStanding(conversation)) throw conflict("not_alerted", "只有超时未回复的会话可以接管");
    const current = conversation.agentId ? await manager.getRepository(Agent).findOneBy({ id: conversation.agentId }) : null;
    const sameGroup = !!current?.groupId && current.groupId === actor.groupId;
    if (!sameGroup && !isAtLeast(actor, "supervisor")) throw forbidden("只能接管本组同事的会话");
    if (!(await updateIfUnchanged(manager, conversation, takeOverFields(conversation, actor.id, now), now))) throw CONVERSATION_CHANGED();
    await recordEvent(manager, deps.clock, {
      conversationId: id,
      type: "transferred",
      agentId: actor.id,
      targetAgentId: actor.id,
      detail: { fromAgentId: conversation.agentId, takeover: true },
    });
    return conversation.agentId;
  });
  const view = await viewOf(deps, id, now);
  await new Pushes()
    .toAgent(actor.id, "conversation:assigned", view)
    .toAgent(fromAgentId, "conversation:updated", view)
    .toSupervisors("conversation:updated", view)
    .flush(deps.realtime, deps.logger);
  return view;
}

export type ReleaseReason = "idle" | "agent_offline" | "agent_logout" | "agent_disconnected";

/**
 * Releases an active conversation: it keeps its agent but must be re-accepted before anyone replies.
 * `version` guards the timers' release (a message meanwhile keeps it); an agent going offline releases
 * whatever is active.
 */
export async function releaseConversation(
  deps: ConversationDeps,
  manager: EntityManager,
  conversation: Conversation,
  reason: ReleaseReason,
  pushes: Pushes,
  options: { ignoreVersion?: boolean } = {},
): Promise<boolean> {
  const now = deps.clock.now();
  const where = options.ignoreVersion
    ? { id: conversation.id, status: "active" as const, agentId: conversation.agentId ?? undefined }
    : { id: conversation.id, status: "active" as const, version: conversation.version };
  const result = await manager.getRepository(Conversation).update(where, { status: "expired", version: () => "version + 1", updatedAt: now });
  if (!result.affected) return false;
  await recordEvent(manager, deps.clock, { conversationId: conversation.id, type: "released", agentId: conversation.agentId, detail: { reason } });
  const settings = await loadConversationSettings(deps.settings);
  const view = () => loadConversationView(deps.dataSource.manager, conversation.id, now, settings.timers);
  pushes.toAgent(conversation.agentId, "conversation:released", view).toSupervisors("conversation:updated", view);
  return true;
}

/**
 * Releases every active conversation of an agent who went offline or logged out (they must be
 * re-accepted). The agents module calls this through its onAgentOffline extension point.
 */
export async function releaseAgentConversations(deps: ConversationDeps, agentId: string, reason: ReleaseReason = "agent_offline"): Promise<number> {
  const active = await deps.dataSource.getRepository(Conversation).findBy({ agentId, status: "active" });
  let released = 0;
  const pushes = new Pushes();
  for (const conversation of active) {
    const done = await withTransaction(deps.dataSource, (manager) => releaseConversation(deps, manager, conversation, reason, pushes, { ignoreVersion: true }));
    if (done) released++;
  }
  await pushes.flush(deps.realtime, deps.logger);
  return released;
}

/**
 * Puts a deleted agent's open conversations back in the queue (nobody could re-accept them), keeping the
 * agent as the previous agent.
 */
export async function requeueAgentConversations(deps: ConversationDeps, agentId: string): Promise<number> {
  const settings = await loadConversationSettings(deps.settings);
  const held = await deps.dataSource.getRepository(Conversation).find({ where: [{ agentId, status: "active" }, { agentId, status: "expired" }] });
  const pushes = new Pushes();
  let requeued = 0;
  for (const conversation of held) {
    const now = deps.clock.now();
    const done = await withTransaction(deps.dataSource, async (manager) => {
      const result = await manager.getRepository(Conversation).update(
        { id: conversation.id, agentId, status: conversation.status },
        {
          status: "waiting",
          agentId: null,
          previousAgentId: agentId,
          queuedAt: now,
          acceptedAt: null,
          awaitingAgentSince: conversation.awaitingAgentSince ?? now,
          agentAlertedAt: null,
          fanRemindedAt: null,
          agentReadAt: null,
          version: () => "version + 1",
          updatedAt: now,
        },
      );
      if (!result.affected) return false;
      await recordEvent(manager, deps.clock, { conversationId: conversation.id, type: "queued", detail: { previousAgentId: agentId, reason: "agent_deleted" } });
      return true;
    });
    if (!done) continue;
    requeued++;
    const view = () => loadConversationView(deps.dataSource.manager, conversation.id, now, settings.timers);
    pushes.toAllAgents("queue:added", view).toSupervisors("conversation:updated", view);
  }
  await pushes.flush(deps.realtime, deps.logger);
  if (requeued) deps.kickAssigner();
  return requeued;
}
