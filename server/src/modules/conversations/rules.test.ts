import { ManualClock } from "../../infra/clock";
import { REPLY_WINDOW_MS, windowRemainingMs } from "../outbox/replyWindow";
import {
  acceptDecision,
  alertReference,
  canTakeMore,
  chinaMinuteOfDay,
  chooseAgent,
  DEFAULT_SERVICE_HOURS,
  DEFAULT_TIMERS,
  dueTimerAction,
  isHumanRequest,
  isAlertStanding,
  isIdleExpired,
  isRatingOpen,
  isWithinServiceHours,
  matchKeyword,
  parseClockTime,
  parseRatingReply,
  planAssignments,
  RATING_REPLY_WINDOW_MS,
  releaseAt,
  replyDecision,
  timersFromMinutes,
  type AssignmentCandidate,
  type TimerView,
} from "./rules";

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A clock at 10:00 China time (02:00 UTC), inside default service hours. */
const morning = () => new ManualClock(new Date("2026-03-02T02:00:00Z"));

function active(at: Date, overrides: Partial<TimerView> = {}): TimerView {
  return {
    status: "active",
    acceptedAt: at,
    lastMessageAt: at,
    lastFanMessageAt: at,
    lastAgentMessageAt: null,
    awaitingAgentSince: at,
    agentAlertedAt: null,
    fanRemindedAt: null,
    ...overrides,
  };
}

describe("30-minute re-accept", () => {
  it("keeps a conversation with a message 29 minutes ago", () => {
    const clock = morning();
    const conversation = active(clock.now());
    clock.advance(29 * MIN + 59_000);
    expect(isIdleExpired(conversation, clock.now(), DEFAULT_TIMERS)).toBe(false);
  });

  it("releases a conversation with no message either way for 30 minutes", () => {
    const clock = morning();
    const conversation = active(clock.now());
    clock.advance(30 * MIN);
    expect(isIdleExpired(conversation, clock.now(), DEFAULT_TIMERS)).toBe(true);
    expect(dueTimerAction({ ...conversation, awaitingAgentSince: null }, clock.now(), DEFAULT_TIMERS)).toBe("release");
  });

  it("counts the agent's messages as well as the fan's", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(20 * MIN);
    const conversation = active(start, { lastMessageAt: clock.now(), lastAgentMessageAt: clock.now(), awaitingAgentSince: null });
    clock.advance(20 * MIN);
    expect(isIdleExpired(conversation, clock.now(), DEFAULT_TIMERS)).toBe(false);
  });

  it("starts the clock at the accept when the conversation waited longer in the queue", () => {
    const clock = morning();
    const fanWrote = clock.now();
    clock.advance(45 * MIN);
    const conversation = active(fanWrote, { acceptedAt: clock.now() });
    expect(isIdleExpired(conversation, clock.now(), DEFAULT_TIMERS)).toBe(false);
    expect(releaseAt(conversation, DEFAULT_TIMERS).getTime()).toBe(clock.now().getTime() + 30 * MIN);
  });

  it("lets only its own agent re-accept an expired conversation", () => {
    const expired = { status: "expired" as const, agentId: "a1", previousAgentId: null };
    expect(acceptDecision(expired, "a1")).toEqual({ ok: true, kind: "reaccept" });
    expect(acceptDecision(expired, "a2")).toMatchObject({ ok: false, status: 409, code: "not_your_conversation" });
  });

  it("lets anyone accept once it went back to the queue, and calls its previous agent's accept a re-accept", () => {
    const requeued = { status: "waiting" as const, agentId: null, previousAgentId: "a1" };
    expect(acceptDecision(requeued, "a2")).toEqual({ ok: true, kind: "accept" });
    expect(acceptDecision(requeued, "a1")).toEqual({ ok: true, kind: "reaccept" });
  });

  it("refuses to accept a conversation another agent holds, with a Chinese message", () => {
    const taken = acceptDecision({ status: "active", agentId: "a1", previousAgentId: null }, "a2");
    expect(taken).toMatchObject({ ok: false, status: 409, code: "already_taken" });
    expect((taken as { message: string }).message).toMatch(/其他客服/);
  });
});

describe("replying and the 48-hour window", () => {
  const fanAt = (at: Date) => ({ lastMessageAt: at, lastEventAt: null, lastInteractionAt: at });

  it("allows the conversation's agent to reply 47 h 59 min after the fan's last message", () => {
    const clock = morning();
    const fan = fanAt(clock.now());
    clock.advance(48 * HOUR - MIN);
    expect(replyDecision({ status: "active", agentId: "a1" }, "a1", fan, clock.now())).toEqual({ ok: true });
    expect(windowRemainingMs(fan, clock.now())).toBe(MIN);
  });

  it("refuses a reply 48 h after the fan's last message with window_closed", () => {
    const clock = morning();
    const fan = fanAt(clock.now());
    clock.advance(REPLY_WINDOW_MS);
    expect(replyDecision({ status: "active", agentId: "a1" }, "a1", fan, clock.now())).toMatchObject({
      ok: false,
      status: 409,
      code: "window_closed",
    });
  });

  it("says window_closed rather than expired when both hold, since re-accepting would not help", () => {
    const clock = morning();
    const fan = fanAt(clock.now());
    clock.advance(49 * HOUR);
    expect(replyDecision({ status: "expired", agentId: "a1" }, "a1", fan, clock.now())).toMatchObject({ code: "window_closed" });
  });

  it("refuses a reply in an expired conversation until it is re-accepted", () => {
    const clock = morning();
    const fan = fanAt(clock.now());
    clock.advance(31 * MIN);
    expect(replyDecision({ status: "expired", agentId: "a1" }, "a1", fan, clock.now())).toEqual({
      ok: false,
      status: 409,
      code: "conversation_expired",
      message: "会话已超时，请重新接入",
    });
  });

  it("refuses a reply in another agent's conversation with 403", () => {
    const clock = morning();
    expect(replyDecision({ status: "active", agentId: "a1" }, "a2", fanAt(clock.now()), clock.now())).toMatchObject({
      ok: false,
      status: 403,
      code: "not_your_conversation",
    });
  });

  it("asks to accept a waiting conversation first", () => {
    const clock = morning();
    expect(replyDecision({ status: "waiting", agentId: null }, "a1", fanAt(clock.now()), clock.now())).toMatchObject({ code: "conversation_waiting" });
  });
});

describe("timers", () => {
  it("alerts 5 minutes after an unanswered fan message, and not before", () => {
    const clock = morning();
    const conversation = active(clock.now());
    clock.advance(5 * MIN - 1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBeNull();
    clock.advance(1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBe("alert_agent");
  });

  it("alerts once per unanswered fan message", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(5 * MIN);
    const alerted = active(start, { agentAlertedAt: clock.now() });
    clock.advance(3 * MIN);
    expect(dueTimerAction(alerted, clock.now(), DEFAULT_TIMERS)).toBeNull();

    // The fan writes again, still unanswered: a new alert 5 minutes after that message.
    const fanAgain = clock.now();
    const rearmed = { ...alerted, lastFanMessageAt: fanAgain, lastMessageAt: fanAgain };
    expect(alertReference(rearmed)).toEqual(fanAgain);
    clock.advance(4 * MIN);
    expect(dueTimerAction(rearmed, clock.now(), DEFAULT_TIMERS)).toBeNull();
    clock.advance(MIN);
    expect(dueTimerAction(rearmed, clock.now(), DEFAULT_TIMERS)).toBe("alert_agent");
  });

  it("lets colleagues take over only while the alert stands (fan still waiting since before the alert)", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(5 * MIN);
    const alerted = active(start, { agentAlertedAt: clock.now() });
    expect(isAlertStanding(alerted)).toBe(true);
    expect(isAlertStanding({ ...alerted, awaitingAgentSince: null })).toBe(false);
    clock.advance(MIN);
    // Answered, then the fan wrote again: the old alert no longer stands.
    expect(isAlertStanding({ ...alerted, awaitingAgentSince: clock.now() })).toBe(false);
    expect(isAlertStanding({ ...alerted, status: "expired" })).toBe(false);
  });

  it("does not alert once the agent has answered", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(2 * MIN);
    const answered = active(start, { awaitingAgentSince: null, lastAgentMessageAt: clock.now(), lastMessageAt: clock.now() });
    clock.advance(4 * MIN);
    expect(dueTimerAction(answered, clock.now(), DEFAULT_TIMERS)).toBeNull();
  });

  it("reminds a fan silent 5 minutes after an agent message, once", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(MIN);
    const agentSpoke = clock.now();
    const conversation = active(start, { awaitingAgentSince: null, lastAgentMessageAt: agentSpoke, lastMessageAt: agentSpoke });
    clock.advance(5 * MIN - 1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBeNull();
    clock.advance(1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBe("remind_fan");
    const reminded = { ...conversation, fanRemindedAt: clock.now() };
    clock.advance(2 * MIN);
    expect(dueTimerAction(reminded, clock.now(), DEFAULT_TIMERS)).toBeNull();
  });

  it("closes the conversation automatically 8 minutes after the agent's message when the fan stays silent", () => {
    const clock = morning();
    const agentSpoke = clock.now();
    const conversation = active(agentSpoke, { awaitingAgentSince: null, lastAgentMessageAt: agentSpoke, fanRemindedAt: new Date(agentSpoke.getTime() + 5 * MIN) });
    clock.advance(8 * MIN - 1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBeNull();
    clock.advance(1);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBe("auto_close");
  });

  it("closes rather than reminds when both fell due in the same tick (e.g. after downtime)", () => {
    const clock = morning();
    const agentSpoke = clock.now();
    const conversation = active(agentSpoke, { awaitingAgentSince: null, lastAgentMessageAt: agentSpoke });
    clock.advance(40 * MIN);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBe("auto_close");
  });

  it("does not remind or close while the fan spoke last", () => {
    const clock = morning();
    const start = clock.now();
    clock.advance(MIN);
    const conversation = active(start, { lastAgentMessageAt: start, lastFanMessageAt: clock.now(), lastMessageAt: clock.now(), awaitingAgentSince: clock.now() });
    clock.advance(9 * MIN);
    expect(dueTimerAction(conversation, clock.now(), DEFAULT_TIMERS)).toBe("alert_agent");
  });

  it("applies only to active conversations", () => {
    const clock = morning();
    const conversation = active(clock.now());
    clock.advance(HOUR);
    for (const status of ["waiting", "expired", "closed"] as const) {
      expect(dueTimerAction({ ...conversation, status }, clock.now(), DEFAULT_TIMERS)).toBeNull();
    }
  });

  it("follows the minute settings", () => {
    const timers = timersFromMinutes({ agentAlert: 1, fanReminder: 2, autoClose: 3, release: 10 });
    expect(timers).toEqual({ agentAlertMs: MIN, fanReminderMs: 2 * MIN, autoCloseMs: 3 * MIN, releaseMs: 10 * MIN });
    const clock = morning();
    const conversation = active(clock.now());
    clock.advance(MIN);
    expect(dueTimerAction(conversation, clock.now(), timers)).toBe("alert_agent");
  });
});

describe("service hours (China time, whatever the server's zone)", () => {
  const at = (iso: string) => new Date(iso);

  it("is open at 08:30 China time (00:30 UTC) and closed a minute before", () => {
    expect(isWithinServiceHours(at("2026-03-02T00:30:00Z"), DEFAULT_SERVICE_HOURS)).toBe(true);
    expect(isWithinServiceHours(at("2026-03-02T00:29:00Z"), DEFAULT_SERVICE_HOURS)).toBe(false);
  });

  it("closes at 21:30 China time (13:30 UTC)", () => {
    expect(isWithinServiceHours(at("2026-03-02T13:29:59Z"), DEFAULT_SERVICE_HOURS)).toBe(true);
    expect(isWithinServiceHours(at("2026-03-02T13:30:00Z"), DEFAULT_SERVICE_HOURS)).toBe(false);
  });

  it("is closed at 02:00 China time, which is still the previous day in UTC", () => {
    expect(chinaMinuteOfDay(at("2026-03-01T18:00:00Z"))).toBe(120);
    expect(isWithinServiceHours(at("2026-03-01T18:00:00Z"), DEFAULT_SERVICE_HOURS)).toBe(false);
  });

  it("supports hours spanning midnight", () => {
    const night = { start: "20:00", end: "08:00" };
    expect(isWithinServiceHours(at("2026-03-01T15:00:00Z"), night)).toBe(true); // 23:00
    expect(isWithinServiceHours(at("2026-03-01T23:00:00Z"), night)).toBe(true); // 07:00
    expect(isWithinServiceHours(at("2026-03-02T02:00:00Z"), night)).toBe(false); // 10:00
  });

  it("is open around the clock for 00:00–24:00", () => {
    for (const hour of [0, 5, 12, 23]) {
      expect(isWithinServiceHours(at(`2026-03-02T${String(hour).padStart(2, "0")}:00:00Z`), { start: "00:00", end: "24:00" })).toBe(true);
    }
  });

  it("parses HH:MM and rejects malformed times", () => {
    expect(parseClockTime("08:30")).toBe(510);
    expect(parseClockTime("24:00")).toBe(1440);
    expect(parseClockTime("24:30")).toBeNull();
    expect(parseClockTime("8:30")).toBeNull();
    expect(parseClockTime("25:00")).toBeNull();
  });
});

describe("capacity and automatic assignment", () => {
  const agent = (id: string, overrides: Partial<AssignmentCandidate> = {}): AssignmentCandidate => ({
    id,
    status: "online",
    autoAccept: true,
    capacity: 3,
    activeCount: 0,
    ...overrides,
  });

  it("gives the conversation to the online agent with the fewest active conversations", () => {
    expect(chooseAgent([agent("a", { activeCount: 2 }), agent("b", { activeCount: 1 }), agent("c", { activeCount: 2 })])?.id).toBe("b");
  });

  it("gives none to an agent at capacity", () => {
    expect(canTakeMore(agent("a", { activeCount: 3 }))).toBe(false);
    expect(chooseAgent([agent("a", { activeCount: 3 })])).toBeNull();
  });

  it("treats capacity 0 as busy", () => {
    expect(canTakeMore(agent("a", { capacity: 0 }))).toBe(false);
  });

  it("gives none to away or offline agents, or to agents without auto-accept", () => {
    expect(chooseAgent([agent("a", { status: "away" }), agent("b", { status: "offline" }), agent("c", { autoAccept: false })])).toBeNull();
  });

  it("prefers the fan's previous agent when that agent can take more", () => {
    expect(chooseAgent([agent("a"), agent("b", { activeCount: 2 })], "b")?.id).toBe("b");
    expect(chooseAgent([agent("a"), agent("b", { activeCount: 3 })], "b")?.id).toBe("a");
  });

  it("plans FIFO assignments that never exceed anyone's capacity", () => {
    const waiting = Array.from({ length: 10 }, (_, i) => ({ id: `w${i}`, previousAgentId: null }));
    const plan = planAssignments(waiting, [agent("a", { capacity: 2 }), agent("b", { capacity: 3, activeCount: 1 }), agent("c", { capacity: 0 })]);
    expect(plan.map((p) => p.conversationId)).toEqual(["w0", "w1", "w2", "w3"]);
    const perAgent = plan.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.agentId]: (acc[p.agentId] ?? 0) + 1 }), {});
    expect(perAgent).toEqual({ a: 2, b: 2 });
  });
});

describe("keywords, asking for a human and ratings", () => {
  const rule = (keyword: string, matchType: "exact" | "contains", position: number, enabled = true) => ({ keyword, matchType, position, enabled });

  it("recognises 人工 anywhere and 00 exactly as asking for a human", () => {
    expect(isHumanRequest("人工")).toBe(true);
    expect(isHumanRequest("我要转人工服务")).toBe(true);
    expect(isHumanRequest(" 00 ")).toBe(true);
    expect(isHumanRequest("1008")).toBe(false);
  });

  it("answers the first enabled matching rule in order", () => {
    const rules = [rule("水费", "contains", 2), rule("停水", "contains", 1), rule("营业厅", "exact", 0, false)];
    expect(matchKeyword("今天停水了吗，水费怎么交", rules)?.keyword).toBe("停水");
    expect(matchKeyword("营业厅", rules)).toBeNull();
  });

  it("matches exact rules only on the whole text, ignoring case and surrounding space", () => {
    const rules = [rule("WiFi", "exact", 0)];
    expect(matchKeyword(" wifi ", rules)).not.toBeNull();
    expect(matchKeyword("wifi密码", rules)).toBeNull();
  });

  it("reads a reply of 1–5 as a score, including full-width digits", () => {
    expect(parseRatingReply("5")).toBe(5);
    expect(parseRatingReply(" 1 ")).toBe(1);
    expect(parseRatingReply("４")).toBe(4);
    expect(parseRatingReply("3分")).toBe(3);
    expect(parseRatingReply("6")).toBeNull();
    expect(parseRatingReply("55")).toBeNull();
    expect(parseRatingReply("0")).toBeNull();
  });

  it("accepts a rating within 24 hours of the request, once", () => {
    const clock = morning();
    const requested = { ratingRequestedAt: clock.now(), rating: null };
    clock.advance(RATING_REPLY_WINDOW_MS - 1);
    expect(isRatingOpen(requested, clock.now(), RATING_REPLY_WINDOW_MS)).toBe(true);
    expect(isRatingOpen({ ...requested, rating: 5 }, clock.now(), RATING_REPLY_WINDOW_MS)).toBe(false);
    clock.advance(1);
    expect(isRatingOpen(requested, clock.now(), RATING_REPLY_WINDOW_MS)).toBe(false);
    expect(isRatingOpen({ ratingRequestedAt: null, rating: null }, clock.now(), RATING_REPLY_WINDOW_MS)).toBe(false);
  });
});
