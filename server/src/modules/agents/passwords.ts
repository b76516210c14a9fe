import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes for password login (admins, the sandbox demo): scrypt with a per-hash salt, stored as
 * `scrypt$N$r$p$<salt>$<hash>` (base64url) so the cost can be raised later without breaking old hashes.
 */

const COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

// Verifying against this when there is no hash keeps "unknown 工号" as slow as "wrong password".
const DUMMY_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(SALT_LENGTH).toString("base64url")}$${Buffer.alloc(KEY_LENGTH).toString("base64url")}`;

/** True when `password` matches `stored`; false for a null or malformed hash (after the same work). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? "").split("$");
  const usable = parts.length === 6 && parts[0] === "scrypt";
  const [, n, r, p, salt, hash] = (usable ? parts : DUMMY_HASH.split("$")) as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p) });
  return usable && stored !== null && expected.length === actual.length && timingSafeEqual(expected, actual);
}
