import { chargeByTier, chinaMonth, DEMO_PRICE_TIERS, yuan } from "./tariff";

describe("tiered water price", () => {
  it("charges a volume inside the first tier at the first price", () => {
    expect(chargeByTier(15, DEMO_PRICE_TIERS).amountFen).toBe(15 * 345);
  });

  it("splits a volume over all three tiers", () => {
    const { amountFen, tiers } = chargeByTier(30, DEMO_PRICE_TIERS);
    expect(tiers.map((t) => t.volumeM3)).toEqual([18, 7, 5]);
    expect(amountFen).toBe(18 * 345 + 7 * 483 + 5 * 583);
  });

  it("charges nothing for no water, and refuses fractions", () => {
    expect(chargeByTier(0, DEMO_PRICE_TIERS).amountFen).toBe(0);
    expect(() => chargeByTier(1.5, DEMO_PRICE_TIERS)).toThrow();
  });

  it("formats fen as yuan and months in China time", () => {
    expect(yuan(5175)).toBe("¥51.75");
    expect(yuan(5)).toBe("¥0.05");
    expect(chinaMonth(new Date("2025-12-31T16:30:00Z"))).toBe("2026-01");
    expect(chinaMonth(new Date("2026-01-15T00:00:00Z"), -1)).toBe("2025-12");
  });
});
