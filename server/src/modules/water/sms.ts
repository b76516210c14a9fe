import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Logger } from "../../infra/logger";
import { badRequest, HttpError } from "../../http/errors";
import { chinaDay } from "./tariff";

/**
 * SMS verification codes for binding a phone to a fan. The limits are enforced in the key-value store,
 * atomically, so they hold across instances and concurrent requests:
 *
 *   one code a minute per phone and per fan   setIfAbsent on both gap keys (the second failing releases the first)
 *   five codes a day per phone and per fan    increment on both day counters (over the limit: taken back)
 *   a code lives 5 minutes, allows 5 tries    expiry checked on the injected clock; tries by increment
 *
 * A code belongs to the fan who asked for it and the phone it was sent to; it is single-use.
 */

/**
 * One text message. Mainland SMS platforms only send pre-approved templates, so besides the full text the
 * message names its template and parameters; a provider sends whichever its platform needs.
 */
export interface SmsMessage {
  phone: string;
  text: string;
  template: "verification_code";
  params: { code: string; minutes: string };
}

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<void>;
}

/** The sandbox's provider: nothing leaves the machine; the last code per phone is readable at GET /sandbox/api/sms. */
export class SandboxSmsProvider implements SmsProvider {
  readonly name = "sandbox";
  constructor(private readonly kv: KeyValueStore) {}

  async send({ phone, text, params }: SmsMessage): Promise<void> {
    const record = { phone, text, code: params.code, sentAt: new Date().toISOString() };
    await this.kv.set(`sandbox:sms:${phone}`, JSON.stringify(record), 30 * 60_000);
  }

  async lastMessage(phone: string): Promise<{ phone: string; text: string; code: string | null; sentAt: string } | null> {
    const raw = await this.kv.get(`sandbox:sms:${phone}`);
    return raw ? JSON.parse(raw) : null;
  }
}

/** Outside the sandbox until a real SMS gateway is plugged in (WaterService.setSmsProvider): refuses clearly. */
export class UnconfiguredSmsProvider implements SmsProvider {
  readonly name = "unconfigured";
  async send(): Promise<void> {
    throw new HttpError(503, "sms_unavailable", "短信服务暂未开通，请稍后再试或联系客服");
  }
}

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;
export const SMS_CODE_TTL_MS = 5 * 60_000;
export const SMS_MAX_TRIES = 5;
export const SMS_RESEND_GAP_MS = 60_000;
export const SMS_DAILY_LIMIT = 5;
const DAY_COUNTER_TTL_MS = 25 * 3600_000;

interface StoredCode {
  nonce: string;
  hash: string;
  expiresAt: number;
}

export const smsKeys = {
  gapPhone: (phone: string) => `water:sms:gap:phone:${phone}`,
  gapFan: (openid: string) => `water:sms:gap:fan:${openid}`,
  dayPhone: (phone: string, day: string) => `water:sms:day:phone:${phone}:${day}`,
  dayFan: (openid: string, day: string) => `water:sms:day:fan:${openid}:${day}`,
  code: (openid: string, phone: string) => `water:sms:code:${openid}:${phone}`,
  tries: (nonce: string) => `water:sms:tries:${nonce}`,
};

const tooMany = (code: string, message: string) => new HttpError(429, code, message);

function hashCode(code: string, nonce: string): string {
  return createHash("sha256").update(`${nonce}:${code}`).digest("hex");
}

export class SmsVerification {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly provider: () => SmsProvider,
    private readonly logger: Logger,
  ) {}

  /** Sends a new code to the phone for this fan, or refuses (429) under the limits. */
  async sendCode(openid: string, phone: string): Promise<{ expiresInSeconds: number; resendAfterSeconds: number }> {
    const holder = randomBytes(8).toString("hex");
    const gapPhone = smsKeys.gapPhone(phone);
    const gapFan = smsKeys.gapFan(openid);
    if (!(await this.kv.setIfAbsent(gapPhone, holder, SMS_RESEND_GAP_MS))) throw tooMany("sms_too_frequent", "验证码发送太频繁，请 1 分钟后再试");
    if (!(await this.kv.setIfAbsent(gapFan, holder, SMS_RESEND_GAP_MS))) {
      await this.kv.deleteIfEquals(gapPhone, holder);
      throw tooMany("sms_too_frequent", "验证码发送太频繁，请 1 分钟后再试");
    }
    const releaseGaps = async () => {
      await this.kv.deleteIfEquals(gapPhone, holder);
      await this.kv.deleteIfEquals(gapFan, holder);
    };

    const day = chinaDay(this.clock.now());
    const dayPhone = smsKeys.dayPhone(phone, day);
    const dayFan = smsKeys.dayFan(openid, day);
    const phoneCount = await this.kv.increment(dayPhone, 1, DAY_COUNTER_TTL_MS);
    const fanCount = await this.kv.increment(dayFan, 1, DAY_COUNTER_TTL_MS);
    const takeBackCounts = async () => {
      await this.kv.increment(dayPhone, -1, DAY_COUNTER_TTL_MS);
      await this.kv.increment(dayFan, -1, DAY_COUNTER_TTL_MS);
    };
    if (phoneCount > SMS_DAILY_LIMIT || fanCount > SMS_DAILY_LIMIT) {
      await takeBackCounts();
      throw tooMany("sms_daily_limit", "今日验证码发送次数已达上限，请明天再试");
    }

    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const nonce = randomBytes(12).toString("hex");
    const stored: StoredCode = { nonce, hash: hashCode(code, nonce), expiresAt: this.clock.now().getTime() + SMS_CODE_TTL_MS };
    // The store keeps it a little longer than its life; the expiry itself is judged on the clock.
    await this.kv.set(smsKeys.code(openid, phone), JSON.stringify(stored), SMS_CODE_TTL_MS + 60_000);
    try {
      const minutes = String(SMS_CODE_TTL_MS / 60_000);
      await this.provider().send({
        phone,
        text: `【水务客服】您的验证码是 ${code}，${minutes} 分钟内有效。如非本人操作，请忽略本短信。`,
        template: "verification_code",
        params: { code, minutes },
      });
    } catch (error) {
      // Not sent: the fan may ask again at once, and the attempt does not count against the day.
      await this.kv.delete(smsKeys.code(openid, phone));
      await takeBackCounts();
      await releaseGaps();
      if (error instanceof HttpError) throw error;
      this.logger.error({ err: error }, "sms send failed");
      throw new HttpError(502, "sms_failed", "验证码发送失败，请稍后再试");
    }
    return { expiresInSeconds: SMS_CODE_TTL_MS / 1000, resendAfterSeconds: SMS_RESEND_GAP_MS / 1000 };
  }

  /** Consumes the fan's code for the phone; 400 with the reason otherwise (a 6th try invalidates the code). */
  async verify(openid: string, phone: string, code: string): Promise<void> {
    const key = smsKeys.code(openid, phone);
    const raw = await this.kv.get(key);
    const stored = raw ? (JSON.parse(raw) as StoredCode) : null;
    if (!stored || stored.expiresAt <= this.clock.now().getTime()) {
      throw badRequest("sms_code_expired", "验证码已失效，请重新获取");
    }
    const tries = await this.kv.increment(smsKeys.tries(stored.nonce), 1, SMS_CODE_TTL_MS + 60_000);
    if (tries > SMS_MAX_TRIES) {
      await this.kv.deleteIfEquals(key, raw!);
      throw badRequest("sms_code_exhausted", "验证码错误次数过多，请重新获取");
    }
    const expected = Buffer.from(stored.hash, "hex");
    const actual = Buffer.from(hashCode(code, stored.nonce), "hex");
    if (!timingSafeEqual(expected, actual)) {
      const left = SMS_MAX_TRIES - tries;
      if (left === 0) await this.kv.deleteIfEquals(key, raw!);
      throw badRequest("sms_code_wrong", left > 0 ? `验证码不正确，还可以再试 ${left} 次` : "验证码不正确，请重新获取");
    }
    // Single use: of two concurrent correct tries only the one that deletes it succeeds.
    if (!(await this.kv.deleteIfEquals(key, raw!))) throw badRequest("sms_code_expired", "验证码已失效，请重新获取");
  }
}
