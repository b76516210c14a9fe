import { hashPassword, verifyPassword } from "./passwords";

describe("password hashes", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const hash = await hashPassword("admin123");
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword("admin123", hash)).toBe(true);
    expect(await verifyPassword("admin124", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash, so equal passwords do not have equal hashes", async () => {
    expect(await hashPassword("same-password")).not.toBe(await hashPassword("same-password"));
  });

  it("refuses a missing or malformed hash after doing the same work", async () => {
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(await verifyPassword("anything", "plaintext")).toBe(false);
    expect(await verifyPassword("anything", "bcrypt$1$2$3$4$5")).toBe(false);
  });

  it("treats full-width and half-width forms of a password alike (NFKC)", async () => {
    expect(await verifyPassword("ａｄｍｉｎ１２３", await hashPassword("admin123"))).toBe(true);
  });
});
