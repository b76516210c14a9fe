import { randomBytes } from "node:crypto";
import { ManualClock } from "../clock";
import type { KeyValueStore } from "./keyValueStore";
import { MemoryKeyValueStore } from "./memoryKeyValueStore";
import { RedisKeyValueStore } from "./redisKeyValueStore";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One contract, two implementations: the Redis one runs against the real server. */
describe.each([
  ["memory", () => new MemoryKeyValueStore()],
  ["redis", () => RedisKeyValueStore.connect(REDIS_URL, `test:kv:${randomBytes(4).toString("hex")}:`)],
])("KeyValueStore contract (%s)", (_name, make: () => KeyValueStore) => {
  let kv: KeyValueStore;
  beforeEach(() => {
    kv = make();
  });
  afterEach(async () => {
    await kv.close();
  });

  it("returns null for a missing key and the value after set", async () => {
    expect(await kv.get("a")).toBeNull();
    await kv.set("a", "1");
    expect(await kv.get("a")).toBe("1");
    expect(await kv.ttl("a")).toBeNull();
  });

  it("expires a value after its TTL", async () => {
    await kv.set("short", "x", 60);
    expect(await kv.get("short")).toBe("x");
    const ttl = await kv.ttl("short");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    await sleep(120);
    expect(await kv.get("short")).toBeNull();
  });

  it("sets if absent only once, also under concurrent callers", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.setIfAbsent("once", String(i), 10_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await kv.get("once")).toBe(String(winner));
  });

  it("lets set-if-absent succeed again after the key expired", async () => {
    expect(await kv.setIfAbsent("k", "a", 50)).toBe(true);
    expect(await kv.setIfAbsent("k", "b", 50)).toBe(false);
    await sleep(100);
    expect(await kv.setIfAbsent("k", "c", 50)).toBe(true);
  });

  it("deletes, and reports whether the key existed", async () => {
    await kv.set("d", "1");
    expect(await kv.delete("d")).toBe(true);
    expect(await kv.delete("d")).toBe(false);
    expect(await kv.get("d")).toBeNull();
  });

  it("deletes only when the value still matches", async () => {
    await kv.set("c", "mine");
    expect(await kv.deleteIfEquals("c", "theirs")).toBe(false);
    expect(await kv.get("c")).toBe("mine");
    expect(await kv.deleteIfEquals("c", "mine")).toBe(true);
    expect(await kv.get("c")).toBeNull();
  });

  it("increments atomically and applies the TTL on creation only", async () => {
    const values = await Promise.all(Array.from({ length: 50 }, () => kv.increment("n", 1, 10_000)));
    expect(new Set(values).size).toBe(50);
    expect(Math.max(...values)).toBe(50);
    expect(await kv.increment("n", 5)).toBe(55);
    const ttl = await kv.ttl("n");
    expect(ttl).toBeGreaterThan(5_000);
  });

  it("gives a lock to one holder at a time and frees it on release", async () => {
    const first = await kv.lock("L", 10_000);
    expect(first).not.toBeNull();
    expect(await kv.lock("L", 10_000)).toBeNull();
    expect(await first!.release()).toBe(true);
    const second = await kv.lock("L", 10_000);
    expect(second).not.toBeNull();
    await second!.release();
  });

  it("lets a lock expire, and an expired holder cannot release its successor's lock", async () => {
    const first = await kv.lock("E", 50);
    await sleep(100);
    const second = await kv.lock("E", 10_000);
    expect(second).not.toBeNull();
    expect(await first!.release()).toBe(false);
    expect(await kv.lock("E", 10_000)).toBeNull();
    await second!.release();
  });
});

describe("MemoryKeyValueStore with a manual clock", () => {
  it("expires by the injected clock, not wall time", async () => {
    const clock = new ManualClock();
    const kv = new MemoryKeyValueStore(clock);
    await kv.set("a", "1", 1000);
    clock.advance(999);
    expect(await kv.get("a")).toBe("1");
    clock.advance(1);
    expect(await kv.get("a")).toBeNull();
  });
});
