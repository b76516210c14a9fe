/**
 * Template message values under WeChat's typed-key rules (reference §7): a value that breaks them fails the
 * whole send with 47003, so each is cut to fit here rather than trusted.
 */

/** thing: at most 20 characters (cut with an ellipsis). */
export function thing(text: string): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= 20 ? chars.join("") : `${chars.slice(0, 19).join("")}…`;
}

/** character_string: at most 32 ASCII letters, digits and symbols; no Chinese. */
export function characterString(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, "").slice(0, 32);
}

/** amount: one currency symbol and at most 10 digits, decimals allowed: "¥51.75". */
export function amount(fen: number): string {
  const abs = Math.abs(Math.trunc(fen));
  const value = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  if (value.replace(".", "").length > 10) throw new Error(`amount too large for a template message: ${fen}`);
  return `¥${value}`;
}

/** time: China time to the minute, "2026年11月24日 08:30". */
export function templateTime(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${china.getUTCFullYear()}年${china.getUTCMonth() + 1}月${china.getUTCDate()}日 ${pad(china.getUTCHours())}:${pad(china.getUTCMinutes())}`;
}
