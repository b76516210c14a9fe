import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { hashPassword } from "../agents/passwords";
import { WaterAccount, WaterBill, WaterMeterReading, WaterPriceTier } from "./billing.entity";
import { chargeByTier, chinaMonth, DEMO_PRICE_TIERS } from "./tariff";

/**
 * Demo data of the built-in billing system: the demo tiered price (tariff.ts) and five households with
 * 36 monthly bills each up to last month, readings consistent month to month. Every demo account's query
 * password is 123456. Seeded into an empty water_account table only.
 */

export const DEMO_QUERY_PASSWORD = "123456";
export const DEMO_BILL_MONTHS = 36;

export const DEMO_WATER_ACCOUNTS = [
  { customerNumber: "310100001", ownerName: "张建国", address: "滨江路 88 号 3 栋 2 单元 501", area: "城东片区", baseM3: 14, firstReading: 1268, unpaidMonths: 1, balanceFen: 0 },
  { customerNumber: "310100002", ownerName: "李秀英", address: "人民路 12 号 1 栋 302", area: "城西片区", baseM3: 9, firstReading: 532, unpaidMonths: 0, balanceFen: 2000 },
  { customerNumber: "310100003", ownerName: "王晓明", address: "学府街 5 号 6 栋 1 单元 1102", area: "高新片区", baseM3: 19, firstReading: 2841, unpaidMonths: 1, balanceFen: 0 },
  { customerNumber: "310100004", ownerName: "陈桂芳", address: "建设路 203 号 2 栋 101", area: "城东片区", baseM3: 24, firstReading: 4105, unpaidMonths: 2, balanceFen: 0 },
  { customerNumber: "310100005", ownerName: "赵志强", address: "湖滨花园 17 栋 2 单元 702", area: "湖滨片区", baseM3: 28, firstReading: 3377, unpaidMonths: 0, balanceFen: 500 },
];

/** A small deterministic generator, so every start seeds the same demo. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** More water in summer (July–August), less in winter. */
const SEASON = [0.85, 0.8, 0.9, 0.95, 1.05, 1.15, 1.3, 1.3, 1.15, 1.0, 0.9, 0.85];

/** Midnight China time on the given day of month `month` ("YYYY-MM") plus `plusMonths`. */
function chinaDate(month: string, plusMonths: number, day: number, hour = 0): Date {
  const [year, mm] = month.split("-").map(Number);
  return new Date(Date.UTC(year, mm - 1 + plusMonths, day, hour - 8));
}

const notAfter = (date: Date, limit: Date) => (date > limit ? limit : date);

export async function seedWaterDemo(dataSource: DataSource, clock: Clock): Promise<void> {
  if ((await dataSource.getRepository(WaterAccount).count()) > 0) return;
  const now = clock.now();
  const passwordHash = await hashPassword(DEMO_QUERY_PASSWORD);
  const months = Array.from({ length: DEMO_BILL_MONTHS }, (_, i) => chinaMonth(now, i - DEMO_BILL_MONTHS));

  await dataSource.transaction(async (manager) => {
    if ((await manager.getRepository(WaterPriceTier).count()) === 0) {
      await manager.getRepository(WaterPriceTier).insert(DEMO_PRICE_TIERS.map((tier) => ({ id: newId(), ...tier, createdAt: now })));
    }
    for (const [index, demo] of DEMO_WATER_ACCOUNTS.entries()) {
      const accountId = newId();
      await manager.getRepository(WaterAccount).insert({
        id: accountId,
        customerNumber: demo.customerNumber,
        ownerName: demo.ownerName,
        address: demo.address,
        area: demo.area,
        queryPasswordHash: passwordHash,
        balanceFen: demo.balanceFen,
        createdAt: now,
        updatedAt: now,
      });
      const random = generator(index + 7);
      const readings: Partial<WaterMeterReading>[] = [{ id: newId(), accountId, reading: demo.firstReading, readAt: chinaDate(months[0], 0, 1, 9), createdAt: now }];
      const bills: Partial<WaterBill>[] = [];
      let reading = demo.firstReading;
      for (const [i, month] of months.entries()) {
        const calendarMonth = Number(month.slice(5)) - 1;
        const volumeM3 = Math.max(0, Math.round(demo.baseM3 * SEASON[calendarMonth] + (random() - 0.5) * 6));
        const previousReading = reading;
        reading += volumeM3;
        const readAt = notAfter(chinaDate(month, 1, 1, 9), now);
        readings.push({ id: newId(), accountId, reading, readAt, createdAt: now });
        const { amountFen, tiers } = chargeByTier(volumeM3, DEMO_PRICE_TIERS);
        const unpaid = i >= months.length - demo.unpaidMonths;
        const issuedAt = notAfter(chinaDate(month, 1, 3, 8), now);
        bills.push({
          id: newId(),
          accountId,
          month,
          previousReading,
          currentReading: reading,
          volumeM3,
          amountFen,
          tiers,
          status: unpaid ? "unpaid" : "paid",
          issuedAt,
          paidAt: unpaid ? null : notAfter(chinaDate(month, 1, 10 + Math.floor(random() * 15), 10), now),
          createdAt: now,
        });
      }
      await manager.getRepository(WaterMeterReading).insert(readings);
      await manager.getRepository(WaterBill).insert(bills);
    }
  });
}
