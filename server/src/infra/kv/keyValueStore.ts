/**
 * The key-value port: what the product needs from Redis, and nothing more.
 * Two implementations keep the same contract (see keyValueStore.contract.test.ts):
 * Redis for production and several instances, in-memory for the embedded default.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets a value; with ttlMs it expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the value only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Deletes the key only while it still holds `value` (compare-and-delete); true when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Adds `by` (default 1) and returns the new value; ttlMs is applied when the key is created. */
  increment(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Milliseconds until the key expires; null when it is absent or has no expiry. */
  ttl(key: string): Promise<number | null>;
  /** Takes an exclusive lock that expires by itself after ttlMs; null when someone else holds it. */
  lock(key: string, ttlMs: number): Promise<KeyValueLock | null>;
  close(): Promise<void>;
}

export interface KeyValueLock {
  readonly key: string;
  /** Releases the lock if this holder still owns it; false when it had already expired or passed on. */
  release(): Promise<boolean>;
}
