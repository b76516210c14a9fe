/**
 * The human-service rules as pure functions, the clock passed in as `now`: re-accept after idling,
 * timers (alert, reminder, automatic close), service hours, ratings, and who gets the next waiting
 * conversation. The 48-hour window and the send quota live in ../outbox/replyWindow.ts and are reused here.
 * The server applies these rules; the console mirrors them in its countdowns.
 */
import type { AgentStatus } from "../agents/agent.entity";
import { isWindowOpen, type FanInteractions } from "../outbox/replyWindow";
import type { ConversationStatus } from "./conversation.entity";

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------------

export interface ConversationTimers {
  /** The agent has not answered a fan's message for this long → an alert. */
  agentAlertMs: number;
  /** The fan has been silent this long after an agent's message → a reminder. */
  fanReminderMs: number;
  /** … and this long → the conversation closes (outcome timeout). */
  autoCloseMs: number;
  /** No message either way for this long → released: it must be re-accepted. */
  releaseMs: number;
}

export const DEFAULT_TIMERS: ConversationTimers = {
  agentAlertMs: 5 * MINUTE,
  fanReminderMs: 5 * MINUTE,
  autoCloseMs: 8 * MINUTE,
  releaseMs: 30 * MINUTE,
};

/** What the timers need to know about a conversation. */
export interface TimerView {
  status: ConversationStatus;
  acceptedAt: Date | null;
  /** The last human message either way (automatic texts such as greetings and reminders do not count). */
  lastMessageAt: Date;
  lastFanMessageAt: Date | null;
  lastAgentMessageAt: Date | null;
  /** Since when the fan waits for an answer from the current agent; null once the agent answered. */
  awaitingAgentSince: Date | null;
  agentAlertedAt: Date | null;
  fanRemindedAt: Date | null;
}

const ms = (date: Date) => date.getTime();
const later = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : ms(a) >= ms(b) ? a : b);

/**
 * When the 30-minute clock started: the last message either way, or the accept if that came later
 * (a conversation that waited long in the queue is not released the moment it is accepted).
 */
export function idleSince(conversation: Pick<TimerView, "lastMessageAt" | "acceptedAt">): Date {
  return later(conversation.lastMessageAt, conversation.acceptedAt)!;
}

/** When an active conversation will be released if nobody writes. */
export function releaseAt(conversation: Pick<TimerView, "lastMessageAt" | "acceptedAt">, timers: ConversationTimers): Date {
  return new Date(ms(idleSince(conversation)) + timers.releaseMs);
}

/** Whether an active conversation has idled long enough to be released (and need a re-accept). */
export function isIdleExpired(conversation: Pick<TimerView, "lastMessageAt" | "acceptedAt">, now: Date, timers: ConversationTimers): boolean {
  return ms(now) >= ms(releaseAt(conversation, timers));
}

/** Since when the fan has been silent after an agent's message (null when the fan spoke last). */
export function fanSilentSince(conversation: Pick<TimerView, "lastFanMessageAt" | "lastAgentMessageAt">): Date | null {
  const { lastAgentMessageAt, lastFanMessageAt } = conversation;
  if (!lastAgentMessageAt) return null;
  if (lastFanMessageAt && ms(lastFanMessageAt) > ms(lastAgentMessageAt)) return null;
  return lastAgentMessageAt;
}

/**
 * The moment the unanswered-fan alert counts from, or null when no alert is pending. An alert goes out
 * once per unanswered fan message: after an alert, only a newer fan message arms it again.
 */
export function alertReference(conversation: Pick<TimerView, "awaitingAgentSince" | "agentAlertedAt" | "lastFanMessageAt">): Date | null {
  const { awaitingAgentSince, agentAlertedAt, lastFanMessageAt } = conversation;
  if (!awaitingAgentSince) return null;
  if (!agentAlertedAt || ms(agentAlertedAt) < ms(awaitingAgentSince)) return awaitingAgentSince;
  if (lastFanMessageAt && ms(lastFanMessageAt) > ms(agentAlertedAt)) return lastFanMessageAt;
  return null;
}

/**
 * Whether the unanswered-fan alert stands: it went out while the fan was (and still is) waiting for the
 * current agent. Then any member of the agent's group may take the conversation over.
 */
export function isAlertStanding(conversation: Pick<TimerView, "status" | "awaitingAgentSince" | "agentAlertedAt">): boolean {
  const { status, awaitingAgentSince, agentAlertedAt } = conversation;
  return status === "active" && !!awaitingAgentSince && !!agentAlertedAt && ms(agentAlertedAt) >= ms(awaitingAgentSince);
}

export type TimerAction = "auto_close" | "release" | "remind_fan" | "alert_agent";

/**
 * The one thing the timers job should do to a conversation now, if any. Closing and releasing end
 * the agent's turn, so they win over a reminder or an alert that fell due in the same tick.
 */
export function dueTimerAction(conversation: TimerView, now: Date, timers: ConversationTimers): TimerAction | null {
  if (conversation.status !== "active") return null;
  const silent = fanSilentSince(conversation);
  if (silent && ms(now) - ms(silent) >= timers.autoCloseMs) return "auto_close";
  if (isIdleExpired(conversation, now, timers)) return "release";
  if (silent && ms(now) - ms(silent) >= timers.fanReminderMs) {
    const reminded = conversation.fanRemindedAt && ms(conversation.fanRemindedAt) >= ms(silent);
    if (!reminded) return "remind_fan";
  }
  const reference = alertReference(conversation);
  if (reference && ms(now) - ms(reference) >= timers.agentAlertMs) return "alert_agent";
  return null;
}

/** The timers from the minute settings. */
export function timersFromMinutes(minutes: { agentAlert: number; fanReminder: number; autoClose: number; release: number }): ConversationTimers {
  return {
    agentAlertMs: minutes.agentAlert * MINUTE,
    fanReminderMs: minutes.fanReminder * MINUTE,
    autoCloseMs: minutes.autoClose * MINUTE,
    releaseMs: minutes.release * MINUTE,
  };
}

// ---------------------------------------------------------------------------------------------------
// Service hours (China time, UTC+8, no daylight saving: computed without the host's time zone)
// ---------------------------------------------------------------------------------------------------

export const CHINA_UTC_OFFSET_MS = 8 * 60 * MINUTE;
const DAY_MINUTES = 24 * 60;

export interface ServiceHours {
  /** "HH:MM" */
  start: string;
  /** "HH:MM", or "24:00" for midnight at the end of the day. */
  end: string;
}

export const DEFAULT_SERVICE_HOURS: ServiceHours = { start: "08:30", end: "21:30" };

/** Minutes after midnight for "HH:MM" (00:00–24:00), or null when malformed. */
export function parseClockTime(value: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value.trim());
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > DAY_MINUTES ? null : minutes;
}

/** Minutes after midnight in China time. */
export function chinaMinuteOfDay(now: Date): number {
  const shifted = new Date(ms(now) + CHINA_UTC_OFFSET_MS);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

/**
 * Whether human service is open now. The start is included and the end excluded; an end before the
 * start spans midnight (e.g. 20:00–08:00); equal times or 00:00–24:00 mean around the clock.
 * Malformed settings fail open: fans still reach agents rather than a wrong off-hours reply.
 */
export function isWithinServiceHours(now: Date, hours: ServiceHours): boolean {
  const start = parseClockTime(hours.start);
  const end = parseClockTime(hours.end);
  if (start === null || end === null) return true;
  const minute = chinaMinuteOfDay(now);
  if (start === end || (start === 0 && end === DAY_MINUTES)) return true;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

// ---------------------------------------------------------------------------------------------------
// Inbound text: asking for a human, keywords, ratings
// ---------------------------------------------------------------------------------------------------

/** "人工" anywhere ("转人工", "我要人工") or exactly "00" asks for a human agent. */
export function isHumanRequest(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === "00" || trimmed.includes("人工");
}

export interface KeywordRuleView {
  keyword: string;
  matchType: "exact" | "contains";
  enabled: boolean;
  position: number;
}

/** The first enabled rule (by position) the text matches; Latin letters compare case-insensitively. */
export function matchKeyword<R extends KeywordRuleView>(text: string, rules: R[]): R | null {
  const normalized = text.trim().toLowerCase();
  if (!normalized) return null;
  const ordered = [...rules].sort((a, b) => a.position - b.position);
  for (const rule of ordered) {
    if (!rule.enabled) continue;
    const keyword = rule.keyword.trim().toLowerCase();
    if (!keyword) continue;
    if (rule.matchType === "exact" ? normalized === keyword : normalized.includes(keyword)) return rule;
  }
  return null;
}

/** How long a fan may answer a rating request by replying a digit, and how long the rating link works. */
export const RATING_REPLY_WINDOW_MS = 24 * 60 * MINUTE;
export const RATING_LINK_WINDOW_MS = 7 * 24 * 60 * MINUTE;

/** A reply of 1–5 (also full-width digits, optionally followed by 分/星) as a score, else null. */
export function parseRatingReply(text: string): number | null {
  const match = /^([1-5１-５])\s*[分星]?$/.exec(text.trim());
  if (!match) return null;
  const digit = match[1];
  const code = digit.charCodeAt(0);
  return code >= 0xff10 ? code - 0xff10 : Number(digit);
}

/** Whether a rating may still be recorded for a request made at `requestedAt`. */
export function isRatingOpen(rating: { ratingRequestedAt: Date | null; rating: number | null }, now: Date, windowMs: number): boolean {
  if (!rating.ratingRequestedAt || rating.rating !== null) return false;
  const elapsed = ms(now) - ms(rating.ratingRequestedAt);
  return elapsed >= 0 && elapsed < windowMs;
}

// ---------------------------------------------------------------------------------------------------
// Accepting and replying
// ---------------------------------------------------------------------------------------------------

export type Refusal = { ok: false; status: 403 | 409; code: string; message: string };

export interface AcceptView {
  status: ConversationStatus;
  agentId: string | null;
  /** Who served it before it went back to the queue. */
  previousAgentId: string | null;
}

/**
 * Who may accept a conversation: anyone while it waits (its previous agent "re-accepts"); only its own
 * agent while it is expired (released after 30 minutes or on going offline).
 */
export function acceptDecision(conversation: AcceptView, actorId: string): { ok: true; kind: "accept" | "reaccept" } | Refusal {
  switch (conversation.status) {
    case "waiting":
      return { ok: true, kind: conversation.previousAgentId === actorId ? "reaccept" : "accept" };
    case "expired":
      if (conversation.agentId === actorId) return { ok: true, kind: "reaccept" };
      return { ok: false, status: 409, code: "not_your_conversation", message: "该会话由其他客服接待，只能由其本人重新接入" };
    case "active":
      return conversation.agentId === actorId
        ? { ok: false, status: 409, code: "already_accepted", message: "您已接入该会话" }
        : { ok: false, status: 409, code: "already_taken", message: "该会话已被其他客服接入" };
    case "closed":
      return { ok: false, status: 409, code: "conversation_closed", message: "会话已结束" };
  }
}

export const WINDOW_CLOSED_MESSAGE = "粉丝最后一次互动已超过48小时，无法发送客服消息，请改用模板消息";

/**
 * Whether the actor may send a customer-service message in the conversation now. The 48-hour check
 * comes before the expired check: re-accepting would not help once the window has closed.
 */
export function replyDecision(
  conversation: { status: ConversationStatus; agentId: string | null },
  actorId: string,
  fan: FanInteractions,
  now: Date,
): { ok: true } | Refusal {
  if (conversation.status === "waiting") return { ok: false, status: 409, code: "conversation_waiting", message: "请先接入该会话" };
  if (conversation.agentId !== actorId) return { ok: false, status: 403, code: "not_your_conversation", message: "只能在自己接待的会话中回复" };
  if (conversation.status === "closed") return { ok: false, status: 409, code: "conversation_closed", message: "会话已结束" };
  if (!isWindowOpen(fan, now)) return { ok: false, status: 409, code: "window_closed", message: WINDOW_CLOSED_MESSAGE };
  if (conversation.status === "expired") return { ok: false, status: 409, code: "conversation_expired", message: "会话已超时，请重新接入" };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------
// Automatic assignment
// ---------------------------------------------------------------------------------------------------

export interface AssignmentCandidate {
  id: string;
  status: AgentStatus;
  autoAccept: boolean;
  /** Concurrent conversations; 0 = busy. */
  capacity: number;
  /** Conversations the agent has active now. */
  activeCount: number;
}

/** Whether the system may give this agent one more conversation: online, auto-accept on, under capacity. */
export function canTakeMore(agent: AssignmentCandidate): boolean {
  return agent.status === "online" && agent.autoAccept && agent.capacity > 0 && agent.activeCount < agent.capacity;
}

/**
 * The agent for the next waiting conversation: the fan's previous agent when it can take more
 * (continuity), else the one with the fewest active conversations; ties keep the candidates' order.
 */
export function chooseAgent(candidates: AssignmentCandidate[], preferredAgentId: string | null = null): AssignmentCandidate | null {
  let best: AssignmentCandidate | null = null;
  for (const agent of candidates) {
    if (!canTakeMore(agent)) continue;
    if (agent.id === preferredAgentId) return agent;
    if (!best || agent.activeCount < best.activeCount) best = agent;
  }
  return best;
}

/** Assignments for waiting conversations in queue order (FIFO), counting each one given out. */
export function planAssignments(
  waiting: { id: string; previousAgentId: string | null }[],
  candidates: AssignmentCandidate[],
): { conversationId: string; agentId: string }[] {
  const pool = candidates.map((agent) => ({ ...agent }));
  const plan: { conversationId: string; agentId: string }[] = [];
  for (const conversation of waiting) {
    const agent = chooseAgent(pool, conversation.previousAgentId);
    if (!agent) break;
    agent.activeCount++;
    plan.push({ conversationId: conversation.id, agentId: agent.id });
  }
  return plan;
}
