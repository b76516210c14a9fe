import { randomUUID } from "node:crypto";
import type { KeyValueLock, KeyValueStore } from "./keyValueStore";
import type { Clock } from "../clock";
import { systemClock } from "../clock";

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** In-process store for the embedded default (one instance). Expiry is checked lazily on read. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock = systemClock) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(ttlMs?: number): number | null {
    return ttlMs === undefined ? null : this.clock.now().getTime() + ttlMs;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    if (this.live(key)?.value !== value) return false;
    this.entries.delete(key);
    return true;
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    const entry = this.live(key);
    const current = entry ? Number(entry.value) : 0;
    if (!Number.isInteger(current)) throw new Error(`value at ${key} is not an integer`);
    const next = current + by;
    this.entries.set(key, { value: String(next), expiresAt: entry ? entry.expiresAt : this.expiry(ttlMs) });
    return next;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.live(key);
    if (!entry || entry.expiresAt === null) return null;
    return entry.expiresAt - this.clock.now().getTime();
  }

  async lock(key: string, ttlMs: number): Promise<KeyValueLock | null> {
    const owner = randomUUID();
    if (!(await this.setIfAbsent(key, owner, ttlMs))) return null;
    return { key, release: () => this.deleteIfEquals(key, owner) };
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
