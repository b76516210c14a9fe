import { amount, characterString, templateTime, thing } from "./templateValues";

describe("template message values", () => {
  it("cuts a thing to 20 characters", () => {
    expect(thing("2025年10月 用水15立方米")).toBe("2025年10月 用水15立方米");
    const long = thing("这是一段非常非常非常非常非常非常长的账单说明文字");
    expect([...long]).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });

  it("keeps only ASCII in a character_string", () => {
    expect(characterString("户号100200301")).toBe("100200301");
  });

  it("formats an amount with one symbol and the fen", () => {
    expect(amount(5175)).toBe("¥51.75");
    expect(amount(0)).toBe("¥0.00");
  });

  it("formats a time in China time, to the minute", () => {
    expect(templateTime(new Date("2026-11-24T00:30:00Z"))).toBe("2026年11月24日 08:30");
    expect(templateTime(new Date("2026-12-31T16:05:00Z"))).toBe("2027年1月1日 00:05");
  });
});
