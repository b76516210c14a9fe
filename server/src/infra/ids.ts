import { randomBytes } from "node:crypto";

/**
 * The one id generator: UUIDv7 (RFC 9562), time-ordered so primary keys sort by creation.
 * Within one millisecond a 12-bit counter in rand_a keeps ids from one process increasing (RFC 9562 §6.2, method 1).
 */
let lastMs = 0;
let counter = 0;

export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    counter = randomBytes(1)[0] & 0x3f; // a small random start leaves room for the counter
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
