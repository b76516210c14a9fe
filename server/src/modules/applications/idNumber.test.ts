import { idCheckCharacter, maskIdNumber, normalizeIdNumber } from "./idNumber";

describe("PRC ID number", () => {
  it("accepts the standard's example and computes its check character", () => {
    // GB 11643-1999's example: 11010519491231002X.
    expect(idCheckCharacter("11010519491231002")).toBe("X");
    expect(normalizeIdNumber("11010519491231002x")).toBe("11010519491231002X");
    expect(normalizeIdNumber(" 11010519491231002X ")).toBe("11010519491231002X");
    expect(normalizeIdNumber("110105194912310029")).toBeNull();
    const born1990 = "44052419900101001" + idCheckCharacter("44052419900101001");
    expect(normalizeIdNumber(born1990)).toBe(born1990);
  });

  it("refuses a wrong check character, a bad length or letters", () => {
    expect(normalizeIdNumber("110105194912310021")).toBeNull();
    expect(normalizeIdNumber("1101051949123100")).toBeNull();
    expect(normalizeIdNumber("11010519491231002Y")).toBeNull();
    expect(normalizeIdNumber("01010519491231002X")).toBeNull();
  });

  it("refuses impossible or future birth dates even with a matching check character", () => {
    const withCheck = (first17: string) => first17 + idCheckCharacter(first17);
    expect(normalizeIdNumber(withCheck("11010519490230002"))).toBeNull();
    expect(normalizeIdNumber(withCheck("11010518991231002"))).toBeNull();
    expect(normalizeIdNumber(withCheck("11010520991231002"), new Date("2026-11-24T00:00:00Z"))).toBeNull();
    expect(normalizeIdNumber(withCheck("11010520000229002"))).toBe(withCheck("11010520000229002"));
  });

  it("masks all but the first and last four characters", () => {
    expect(maskIdNumber("11010519491231002X")).toBe("1101**********002X");
  });
});
