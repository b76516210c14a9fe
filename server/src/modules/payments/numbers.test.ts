import { addDays, chinaDate, chinaDayRange, isCalendarDay, newMerchantNumber, OUT_TRADE_NO_PATTERN } from "./numbers";

describe("merchant numbers", () => {
  it("are 26 characters WeChat Pay accepts, stamped with China time, and differ every call", () => {
    const at = new Date("2026-11-24T02:30:05Z"); // 10:30:05 in China
    const numbers = new Set(Array.from({ length: 1000 }, () => newMerchantNumber("SW", at)));
    expect(numbers.size).toBe(1000);
    for (const number of numbers) {
      expect(number).toMatch(OUT_TRADE_NO_PATTERN);
      expect(number).toHaveLength(26);
      expect(number.startsWith("SW20261124103005")).toBe(true);
    }
    expect(newMerchantNumber("RF", at).startsWith("RF")).toBe(true);
  });
});

describe("China days", () => {
  it("puts 16:00 UTC into the next China day", () => {
    expect(chinaDate(new Date("2026-11-23T15:59:59Z"))).toBe("2026-11-23");
    expect(chinaDate(new Date("2026-11-23T16:00:00Z"))).toBe("2026-11-24");
  });

  it("spans a day from 16:00 UTC to 16:00 UTC", () => {
    expect(chinaDayRange("2026-11-24")).toEqual({ start: new Date("2026-11-23T16:00:00Z"), end: new Date("2026-11-24T16:00:00Z") });
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("rejects days that are not on the calendar", () => {
    expect(isCalendarDay("2026-02-28")).toBe(true);
    expect(isCalendarDay("2026-02-30")).toBe(false);
    expect(isCalendarDay("2026-13-01")).toBe(false);
    expect(isCalendarDay("20261124")).toBe(false);
  });
});
