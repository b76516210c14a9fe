import type { TierCharge } from "./billing.entity";

/** One step of a tiered price: volumes above lowerM3 up to upperM3 (null = unbounded) cost unitPriceFen per m³. */
export interface PriceTier {
  tier: number;
  label: string;
  lowerM3: number;
  upperM3: number | null;
  unitPriceFen: number;
}

/**
 * DEMO VALUES, not any utility's published tariff: a typical three-tier residential price per household
 * and month, sewage treatment fee included — 0–18 m³ ¥3.45, 18–25 m³ ¥4.83, above 25 m³ ¥5.83.
 */
export const DEMO_PRICE_TIERS: PriceTier[] = [
  { tier: 1, label: "第一阶梯（0–18 m³）", lowerM3: 0, upperM3: 18, unitPriceFen: 345 },
  { tier: 2, label: "第二阶梯（18–25 m³）", lowerM3: 18, upperM3: 25, unitPriceFen: 483 },
  { tier: 3, label: "第三阶梯（25 m³ 以上）", lowerM3: 25, upperM3: null, unitPriceFen: 583 },
];

/** Splits a month's volume over the tiers; the amount is the sum of the tiers' amounts (integer fen). */
export function chargeByTier(volumeM3: number, tiers: PriceTier[]): { amountFen: number; tiers: TierCharge[] } {
  if (!Number.isInteger(volumeM3) || volumeM3 < 0) throw new Error(`volume must be a whole number of m³, got ${volumeM3}`);
  const charges: TierCharge[] = [];
  for (const tier of [...tiers].sort((a, b) => a.lowerM3 - b.lowerM3)) {
    const upper = tier.upperM3 ?? Number.POSITIVE_INFINITY;
    const volume = Math.max(0, Math.min(volumeM3, upper) - tier.lowerM3);
    charges.push({ tier: tier.tier, label: tier.label, volumeM3: volume, unitPriceFen: tier.unitPriceFen, amountFen: volume * tier.unitPriceFen });
  }
  return { amountFen: charges.reduce((sum, charge) => sum + charge.amountFen, 0), tiers: charges };
}

/** "¥51.75" */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** "YYYY-MM" of a date in China time (UTC+8, no daylight saving). */
export function chinaMonth(date: Date, offsetMonths = 0): string {
  const china = new Date(date.getTime() + 8 * 3600_000);
  const shifted = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() + offsetMonths, 1));
  return `${shifted.getUTCFullYear()}-${String(shifted.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** "YYYYMMDD" of a date in China time. */
export function chinaDay(date: Date): string {
  const china = new Date(date.getTime() + 8 * 3600_000);
  return `${china.getUTCFullYear()}${String(china.getUTCMonth() + 1).padStart(2, "0")}${String(china.getUTCDate()).padStart(2, "0")}`;
}

/** "2025年10月" */
export function monthLabel(month: string): string {
  const [year, mm] = month.split("-");
  return `${year}年${Number(mm)}月`;
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
