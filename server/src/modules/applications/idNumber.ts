/**
 * The 18-digit PRC resident ID number (GB 11643-1999): 6-digit area code, birth date YYYYMMDD,
 * 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0–9 or X).
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/** The check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Upper-cases a trailing x; null when the number is not a valid ID (format, birth date, check character). */
export function normalizeIdNumber(input: string, today: Date = new Date()): string | null {
  const value = input.trim().toUpperCase();
  if (!/^[1-9]\d{16}[\dX]$/.test(value)) return null;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) return null;
  if (birth.getTime() > today.getTime()) return null;
  if (idCheckCharacter(value) !== value[17]) return null;
  return value;
}

/** For lists and the fan's own view: 1101**********123X → first 4 and last 4. */
export function maskIdNumber(value: string): string {
  return `${value.slice(0, 4)}${"*".repeat(Math.max(0, value.length - 8))}${value.slice(-4)}`;
}
