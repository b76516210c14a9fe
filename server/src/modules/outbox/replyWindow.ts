/**
 * WeChat's rules for customer-service messages, as pure functions with the clock passed in.
 * The outbox enforces them before calling WeChat; the console mirrors them in its countdown.
 *
 * - A fan's message opens a 48-hour window with a quota of sends (currently 5), reset by the next message.
 * - A menu click, follow or QR scan grants a small quota (currently 3) for a short time (currently 1 minute).
 * Both quotas are settings because WeChat has changed them before (20 per 48 h until 2023).
 */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;

export interface FanInteractions {
  lastMessageAt: Date | null;
  lastEventAt: Date | null;
  lastInteractionAt: Date | null;
}

export interface QuotaRules {
  afterMessage: { count: number; windowMs: number };
  afterEvent: { count: number; windowMs: number };
}

export const WECHAT_QUOTA_RULES: QuotaRules = {
  afterMessage: { count: 5, windowMs: REPLY_WINDOW_MS },
  afterEvent: { count: 3, windowMs: 60 * 1000 },
};

/** How many customer-service messages were already sent since each grant. */
export interface SentSince {
  lastMessage: number;
  lastEvent: number;
}

export type Allowance =
  | { allowed: true; grant: "message" | "event" }
  | { allowed: false; errcode: 45015 | 45047; reason: "window_closed" | "quota_exhausted"; message: string };

export function isWindowOpen(fan: FanInteractions, now: Date): boolean {
  return fan.lastInteractionAt !== null && now.getTime() < fan.lastInteractionAt.getTime() + REPLY_WINDOW_MS;
}

/** Milliseconds left in the 48-hour window (0 when closed). */
export function windowRemainingMs(fan: FanInteractions, now: Date): number {
  if (!fan.lastInteractionAt) return 0;
  return Math.max(0, fan.lastInteractionAt.getTime() + REPLY_WINDOW_MS - now.getTime());
}

function grantActive(at: Date | null, windowMs: number, now: Date): at is Date {
  return at !== null && now.getTime() < at.getTime() + windowMs;
}

/** Whether one more customer-service message may be sent to the fan now. */
export function customMessageAllowance(fan: FanInteractions, sent: SentSince, now: Date, rules: QuotaRules): Allowance {
  if (grantActive(fan.lastMessageAt, rules.afterMessage.windowMs, now) && sent.lastMessage < rules.afterMessage.count) {
    return { allowed: true, grant: "message" };
  }
  if (grantActive(fan.lastEventAt, rules.afterEvent.windowMs, now) && sent.lastEvent < rules.afterEvent.count) {
    return { allowed: true, grant: "event" };
  }
  if (isWindowOpen(fan, now)) {
    return {
      allowed: false,
      errcode: 45047,
      reason: "quota_exhausted",
      message: "本次互动可发送的客服消息已达上限，请等待粉丝再次发言或改用模板消息",
    };
  }
  return {
    allowed: false,
    errcode: 45015,
    reason: "window_closed",
    message: "粉丝最后一次互动已超过48小时，无法发送客服消息，请改用模板消息",
  };
}
