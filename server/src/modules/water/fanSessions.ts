import type { KeyValueLock, KeyValueStore } from "../../infra/kv/keyValueStore";
import { SessionStore } from "../agents/sessions";

/**
 * Fans' H5 sessions: the console's SessionStore (random token in an http-only cookie, only its hash in the
 * store, sliding expiry) over its own key space, so a fan token can never resolve as an agent session.
 */
export const FAN_SESSION_COOKIE = "shuiwu_fan";
export const FAN_SESSION_TTL_MS = 2 * 60 * 60 * 1000;

/** The same store with every key under a prefix. */
class PrefixedKeyValueStore implements KeyValueStore {
  constructor(
    private readonly inner: KeyValueStore,
    private readonly prefix: string,
  ) {}
  private k(key: string): string {
    return `${this.prefix}${key}`;
  }
  get(key: string) {
    return this.inner.get(this.k(key));
  }
  set(key: string, value: string, ttlMs?: number) {
    return this.inner.set(this.k(key), value, ttlMs);
  }
  setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.inner.setIfAbsent(this.k(key), value, ttlMs);
  }
  delete(key: string) {
    return this.inner.delete(this.k(key));
  }
  deleteIfEquals(key: string, value: string) {
    return this.inner.deleteIfEquals(this.k(key), value);
  }
  increment(key: string, by?: number, ttlMs?: number) {
    return this.inner.increment(this.k(key), by, ttlMs);
  }
  ttl(key: string) {
    return this.inner.ttl(this.k(key));
  }
  lock(key: string, ttlMs: number): Promise<KeyValueLock | null> {
    return this.inner.lock(this.k(key), ttlMs);
  }
  async close(): Promise<void> {
    // The inner store belongs to the server.
  }
}

export function createFanSessions(kv: KeyValueStore): SessionStore {
  return new SessionStore(new PrefixedKeyValueStore(kv, "fan:"), FAN_SESSION_TTL_MS);
}
