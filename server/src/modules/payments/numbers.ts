import { randomBytes } from "node:crypto";

/**
 * Merchant numbers and China-time days. WeChat Pay wants out_trade_no / out_refund_no unique per merchant
 * forever, 6–32 characters; we use [A-Za-z0-9] only (the safest subset of what the docs allow), readable
 * by staff: a prefix, the China time to the second and 10 random characters.
 */

export const OUT_TRADE_NO_PATTERN = /^[A-Za-z0-9_-]{6,32}$/;
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  let text = "";
  for (const byte of bytes) text += ALPHABET[byte % ALPHABET.length];
  return text;
}

function chinaParts(date: Date) {
  const china = new Date(date.getTime() + 8 * 3600_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return {
    day: `${china.getUTCFullYear()}-${pad(china.getUTCMonth() + 1)}-${pad(china.getUTCDate())}`,
    stamp: `${china.getUTCFullYear()}${pad(china.getUTCMonth() + 1)}${pad(china.getUTCDate())}${pad(china.getUTCHours())}${pad(china.getUTCMinutes())}${pad(china.getUTCSeconds())}`,
  };
}

/** "SW20261124103000K7Q2M9XA4B" (26 characters): SW = order, RF = refund. */
export function newMerchantNumber(prefix: "SW" | "RF", now: Date): string {
  return `${prefix}${chinaParts(now).stamp}${randomSuffix(10)}`;
}

export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** "YYYY-MM-DD" of a moment in China time. */
export function chinaDate(date: Date): string {
  return chinaParts(date).day;
}

/** [start, end) of a China day, as UTC instants. */
export function chinaDayRange(day: string): { start: Date; end: Date } {
  const [year, month, date] = day.split("-").map(Number);
  const start = new Date(Date.UTC(year, month - 1, date) - 8 * 3600_000);
  return { start, end: new Date(start.getTime() + 24 * 3600_000) };
}

/** The China day `offset` days from the given one. */
export function addDays(day: string, offset: number): string {
  return chinaDate(new Date(chinaDayRange(day).start.getTime() + offset * 24 * 3600_000));
}

/** True for a real calendar day (2026-02-30 is not). */
export function isCalendarDay(day: string): boolean {
  return DAY_PATTERN.test(day) && chinaDate(chinaDayRange(day).start) === day;
}
