/**
 * Money is integer fen end to end (server, API, pages); these format and parse it exactly, without
 * floating point. No imports: the console and the H5 pages share this file.
 */

/** 4830 → "48.30" (no currency sign: for tables and texts that put "¥" where it reads best). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** 4830 → "¥48.30", -500 → "-¥5.00"; "—" when there is no amount. */
export function money(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "—";
  return fen < 0 ? `-¥${yuan(-fen)}` : `¥${yuan(fen)}`;
}

/** "12.30" → 1230; null when it is not an amount with at most two decimals. */
export function parseYuan(text: string): number | null {
  const match = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}
