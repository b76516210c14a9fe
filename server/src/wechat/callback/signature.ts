import { createHash, timingSafeEqual } from "node:crypto";

/** WeChat's callback signature: lowercase hex SHA-1 of the parts sorted lexicographically and concatenated. */
export function sha1Signature(...parts: string[]): string {
  return createHash("sha1").update([...parts].sort().join("")).digest("hex");
}

/**
 * Whether a signature received from the network is the one the parts produce. Compared in constant time so
 * response timing does not reveal how many leading characters of a forged signature were right.
 */
export function signatureMatches(expected: string | undefined, ...parts: string[]): boolean {
  if (!expected) return false;
  const received = Buffer.from(expected, "utf8");
  const computed = Buffer.from(sha1Signature(...parts), "utf8");
  // timingSafeEqual throws on unequal lengths; a length difference leaks nothing (the real length is public).
  return received.length === computed.length && timingSafeEqual(received, computed);
}
