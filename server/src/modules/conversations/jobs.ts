import { In, IsNull } from "typeorm";
import type { KeyValueLock } from "../../infra/kv/keyValueStore";
import { Agent } from "../agents/agent.entity";
import { Conversation } from "./conversation.entity";
import { closeConversation } from "./closing";
import { releaseConversation } from "./commands";
import { loadConversationSettings, type ConversationSettings } from "./conversationSettings";
import { lockingQuery, withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { recordEvent, sendInConversation } from "./journal";
import { canTakeMore, dueTimerAction, planAssignments, type AssignmentCandidate } from "./rules";
import { loadConversationView, presentMessage } from "./views";

const TIMERS_LOCK = "conversations:timers-tick";
const ASSIGN_LOCK = "conversations:assign-tick";
const LOCK_TTL_MS = 30_000;

export interface TimersReport {
  alerted: number;
  reminded: number;
  closed: number;
  released: number;
}

/**
 * The conversation jobs, run on every instance: a ticker applies the timers (alert, reminder,
 * automatic close, 30-minute release) and another assigns waiting conversations to agents with
 * auto-accept. Each tick takes a key-value lock, so only one instance works it; the assignment itself
 * also locks the agent's row, so capacity holds even if two ticks ever overlapped.
 */
export class ConversationJobs {
  private timersTimer: NodeJS.Timeout | null = null;
  private assignTimer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private running = new Set<Promise<unknown>>();
  private stopped = true;

  constructor(
    private readonly deps: ConversationDeps,
    private readonly options: { timersIntervalMs?: number; assignIntervalMs?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.timersTimer = setInterval(() => this.track(this.runTimersOnce()), this.options.timersIntervalMs ?? 5000);
    this.assignTimer = setInterval(() => this.track(this.assignOnce()), this.options.assignIntervalMs ?? 3000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.timersTimer, this.assignTimer]) if (timer) clearInterval(timer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.timersTimer = this.assignTimer = this.kickTimer = null;
    await Promise.allSettled([...this.running]);
  }

  /** Looks at the queue soon: a conversation was queued or closed. */
  kick(): void {
    if (this.stopped || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      this.track(this.assignOnce());
    }, 50);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => this.deps.logger.error({ err: error }, "conversation job failed")).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async withLock<T>(key: string, work: () => Promise<T>, waitForLock: boolean): Promise<T | null> {
    let lock: KeyValueLock | null = await this.deps.kv.lock(key, LOCK_TTL_MS);
    const deadline = Date.now() + 10_000;
    while (!lock && waitForLock && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      lock = await this.deps.kv.lock(key, LOCK_TTL_MS);
    }
    if (!lock) return null;
    try {
      return await work();
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** One timers tick under the lock (null when another instance is working it). */
  runTimersOnce(options: { waitForLock?: boolean } = {}): Promise<TimersReport | null> {
    return this.withLock(TIMERS_LOCK, () => this.applyTimers(), options.waitForLock ?? false);
  }

  /** One assignment tick under the lock (null when another instance is working it). */
  assignOnce(options: { waitForLock?: boolean } = {}): Promise<number | null> {
    return this.withLock(ASSIGN_LOCK, () => this.assignWaiting(), options.waitForLock ?? false);
  }

  async applyTimers(): Promise<TimersReport> {
    const { deps } = this;
    const settings = await loadConversationSettings(deps.settings);
    const report: TimersReport = { alerted: 0, reminded: 0, closed: 0, released: 0 };
    const active = await deps.dataSource.getRepository(Conversation).findBy({ status: "active" });
    for (const conversation of active) {
      const now = deps.clock.now();
      const action = dueTimerAction(conversation, now, settings.timers);
      try {
        switch (action) {
          case "auto_close":
            if (await closeConversation(deps, "system", conversation.id, { outcome: "timeout", expectVersion: conversation.version })) report.closed++;
            break;
          case "release": {
            const pushes = new Pushes();
            if (await withTransaction(deps.dataSource, (manager) => releaseConversation(deps, manager, conversation, "idle", pushes))) report.released++;
            await pushes.flush(deps.realtime, deps.logger);
            break;
          }
          case "remind_fan":
            if (await this.remindFan(conversation, settings)) report.reminded++;
            break;
          case "alert_agent":
            if (await this.alertAgent(conversation, settings)) report.alerted++;
            break;
          case null:
            break;
        }
      } catch (error) {
        deps.logger.error({ err: error, conversationId: conversation.id, action }, "conversation timer failed");
      }
    }
    return report;
  }

  private async remindFan(conversation: Conversation, settings: ConversationSettings): Promise<boolean> {
    const { deps } = this;
    const now = deps.clock.now();
    const text = settings.reminderText.trim();
    const pushes = new Pushes();
    const done = await withTransaction(deps.dataSource, async (manager) => {
      const result = await manager
        .getRepository(Conversation)
        .update({ id: conversation.id, version: conversation.version, status: "active" }, { fanRemindedAt: now, version: () => "version + 1" });
      if (!result.affected) return false;
      await recordEvent(manager, deps.clock, { conversationId: conversation.id, type: "reminded" });
      if (text) {
        const { message, outbox } = await sendInConversation(manager, deps.clock, conversation, { type: "text", text }, { auto: "reminder" });
        const payload = { conversationId: conversation.id, message: presentMessage(message, null, outbox) };
        pushes.toAgent(conversation.agentId, "conversation:message", payload).toSupervisors("conversation:message", payload);
      }
      return true;
    });
    if (done && text) deps.wakeOutbox();
    await pushes.flush(deps.realtime, deps.logger);
    return done;
  }

  /** The agent has not answered: alert them, their group (any member may take it over) and the supervisors. */
  private async alertAgent(conversation: Conversation, settings: ConversationSettings): Promise<boolean> {
    const { deps } = this;
    const now = deps.clock.now();
    const done = await withTransaction(deps.dataSource, async (manager) => {
      const result = await manager
        .getRepository(Conversation)
        .update({ id: conversation.id, version: conversation.version, status: "active" }, { agentAlertedAt: now, version: () => "version + 1" });
      if (!result.affected) return false;
      await recordEvent(manager, deps.clock, { conversationId: conversation.id, type: "alerted", agentId: conversation.agentId });
      return true;
    });
    if (!done) return false;
    const agent = conversation.agentId ? await deps.dataSource.getRepository(Agent).findOneBy({ id: conversation.agentId }) : null;
    const view = await loadConversationView(deps.dataSource.manager, conversation.id, now, settings.timers);
    const payload = {
      kind: "unanswered",
      conversationId: conversation.id,
      agentId: conversation.agentId,
      agentName: agent?.name ?? null,
      groupId: agent?.groupId ?? null,
      unansweredSince: conversation.awaitingAgentSince?.toISOString() ?? null,
      message: `粉丝已等待超过 ${Math.round(settings.timers.agentAlertMs / 60_000)} 分钟未获回复`,
      conversation: view,
    };
    await new Pushes().toAgent(conversation.agentId, "alert", payload).toGroup(agent?.groupId, "alert", payload).toSupervisors("alert", payload).flush(deps.realtime, deps.logger);
    return true;
  }

  /**
   * Gives waiting conversations (FIFO) to online agents with auto-accept under their capacity, fewest
   * active first. Each assignment locks the agent's row and counts again, so it never exceeds capacity.
   */
  async assignWaiting(limit = 50): Promise<number> {
    const { deps } = this;
    const repository = deps.dataSource.getRepository(Conversation);
    const waiting = await repository.find({ where: { status: "waiting" }, order: { queuedAt: "ASC", id: "ASC" }, take: limit });
    if (waiting.length === 0) return 0;
    const agents = (await deps.dataSource.getRepository(Agent).find({ where: { status: "online", deletedAt: IsNull() }, order: { id: "ASC" } })).filter(
      (agent) => agent.settings?.autoAccept && agent.capacity > 0,
    );
    if (agents.length === 0) return 0;
    const counts = await activeCounts(deps, agents.map((agent) => agent.id));
    const candidates: AssignmentCandidate[] = agents.map((agent) => ({
      id: agent.id,
      status: agent.status,
      autoAccept: agent.settings.autoAccept,
      capacity: agent.capacity,
      activeCount: counts.get(agent.id) ?? 0,
    }));
    const plan = planAssignments(waiting, candidates);
    let assigned = 0;
    for (const step of plan) {
      try {
        if (await this.assignIfUnderCapacity(step.conversationId, step.agentId)) assigned++;
      } catch (error) {
        deps.logger.error({ err: error, ...step }, "automatic assignment failed");
      }
    }
    return assigned;
  }

  /**
   * Gives one waiting conversation to an agent unless that would exceed the agent's capacity (or the agent
   * is no longer online with auto-accept, or the conversation no longer waits). False when not assigned.
   */
  async assignIfUnderCapacity(conversationId: string, agentId: string): Promise<boolean> {
    const { deps } = this;
    const now = deps.clock.now();
    const settings = await loadConversationSettings(deps.settings);
    const outcome = await withTransaction(deps.dataSource, async (manager) => {
      // The agent's row lock serialises every assignment to this agent across instances.
      const agent = await lockingQuery(manager, Agent, "a").where("a.id = :agentId AND a.deleted_at IS NULL", { agentId }).getOne();
      if (!agent) return null;
      const activeCount = await manager.getRepository(Conversation).countBy({ agentId, status: "active" });
      if (!canTakeMore({ id: agent.id, status: agent.status, autoAccept: !!agent.settings?.autoAccept, capacity: agent.capacity, activeCount })) return null;
      const conversation = await manager.getRepository(Conversation).findOneBy({ id: conversationId, status: "waiting" });
      if (!conversation) return null;
      const result = await manager.getRepository(Conversation).update(
        { id: conversationId, status: "waiting", version: conversation.version },
        {
          status: "active",
          agentId,
          acceptedAt: now,
          awaitingAgentSince: conversation.awaitingAgentSince ? now : null,
          agentAlertedAt: null,
          fanRemindedAt: null,
          agentReadAt: null,
          version: () => "version + 1",
          updatedAt: now,
        },
      );
      if (!result.affected) return null;
      const again = conversation.previousAgentId === agentId;
      await recordEvent(manager, deps.clock, {
        conversationId,
        type: again ? "reaccepted" : "accepted",
        agentId,
        detail: { auto: true, ...(conversation.previousAgentId ? { previousAgentId: conversation.previousAgentId } : {}) },
      });
      const greeting = agent.settings?.greeting?.trim();
      if (greeting && !again) await sendInConversation(manager, deps.clock, conversation, { type: "text", text: greeting }, { agentId, auto: "greeting" });
      return { greeted: !!greeting && !again };
    });
    if (!outcome) return false;
    if (outcome.greeted) deps.wakeOutbox();
    const view = await loadConversationView(deps.dataSource.manager, conversationId, now, settings.timers);
    await new Pushes()
      .toAgent(agentId, "conversation:assigned", view)
      .toAllAgents("queue:removed", view)
      .toSupervisors("conversation:updated", view)
      .flush(deps.realtime, deps.logger);
    return true;
  }
}

/** Active conversations per agent. */
export async function activeCounts(deps: Pick<ConversationDeps, "dataSource">, agentIds: string[]): Promise<Map<string, number>> {
  if (agentIds.length === 0) return new Map();
  const rows: { agentId: string; n: string | number }[] = await deps.dataSource
    .getRepository(Conversation)
    .createQueryBuilder("c")
    .select("c.agent_id", "agentId")
    .addSelect("COUNT(*)", "n")
    .where({ agentId: In(agentIds), status: "active" })
    .groupBy("c.agent_id")
    .getRawMany();
  return new Map(rows.map((row) => [row.agentId, Number(row.n)]));
}

