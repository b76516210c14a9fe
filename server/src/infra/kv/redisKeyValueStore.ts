import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { KeyValueLock, KeyValueStore } from "./keyValueStore";

// Compare-and-delete must be atomic, or a holder whose lock expired could delete its successor's lock.
const DELETE_IF_EQUALS = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
// INCRBY plus an expiry only on creation, in one step.
const INCREMENT_WITH_TTL = `local v = redis.call("INCRBY", KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and v == tonumber(ARGV[1]) then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return v`;

/** Redis-backed store shared by every instance. All keys carry the given prefix. */
export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    readonly redis: Redis,
    private readonly prefix = "shuiwu:",
  ) {}

  static connect(url: string, prefix?: string, onError?: (error: Error) => void): RedisKeyValueStore {
    const redis = new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    // Without a listener ioredis reports connection errors as unhandled events.
    redis.on("error", (error) => onError?.(error));
    return new RedisKeyValueStore(redis, prefix);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.redis.set(this.k(key), value);
    else await this.redis.set(this.k(key), value, "PX", Math.max(1, Math.round(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const result = await this.redis.set(this.k(key), value, "PX", Math.max(1, Math.round(ttlMs)), "NX");
    return result === "OK";
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.k(key))) > 0;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return (await this.redis.eval(DELETE_IF_EQUALS, 1, this.k(key), value)) === 1;
  }

  async increment(key: string, by = 1, ttlMs?: number): Promise<number> {
    const result = await this.redis.eval(INCREMENT_WITH_TTL, 1, this.k(key), by, Math.round(ttlMs ?? 0));
    return Number(result);
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.redis.pttl(this.k(key));
    return ms < 0 ? null : ms;
  }

  async lock(key: string, ttlMs: number): Promise<KeyValueLock | null> {
    const owner = randomUUID();
    if (!(await this.setIfAbsent(key, owner, ttlMs))) return null;
    return { key, release: () => this.deleteIfEquals(key, owner) };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
