import { randomUUID } from "node:crypto";
import { ManualClock } from "../../infra/clock";
import { createLogger } from "../../infra/logger";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import { MemoryKeyValueStore } from "../../infra/kv/memoryKeyValueStore";
import { RedisKeyValueStore } from "../../infra/kv/redisKeyValueStore";
import { startFakeWechat } from "../../sandbox/fakeWechat";
import { AccessTokenProvider } from "./accessToken";
import { WechatApiError } from "./errors";

const APP_ID = "wxtest0000000001";
const APP_SECRET = "test-secret-0123456789abcdef";
const TOKEN_KEY = `wechat:access-token:${APP_ID}`;
const LOCK_KEY = `wechat:access-token-lock:${APP_ID}`;
const logger = createLogger("silent");

type Fake = Awaited<ReturnType<typeof startFakeWechat>>;

function provider(fake: Fake, kv: KeyValueStore, overrides: Partial<ConstructorParameters<typeof AccessTokenProvider>[0]> = {}) {
  return new AccessTokenProvider({ kv, apiBase: fake.url, appId: APP_ID, appSecret: APP_SECRET, logger, ...overrides });
}

const stores: [string, () => KeyValueStore][] = [
  ["memory", () => new MemoryKeyValueStore()],
  ["redis", () => RedisKeyValueStore.connect("redis://127.0.0.1:6379", `test:${randomUUID()}:`)],
];

describe.each(stores)("AccessTokenProvider sharing a %s store", (_name, makeStore) => {
  let fake: Fake;
  let kv: KeyValueStore;

  beforeEach(async () => {
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET });
    kv = makeStore();
  });

  afterEach(async () => {
    await kv.delete(TOKEN_KEY);
    await kv.delete(LOCK_KEY);
    await kv.close();
    await fake.close();
  });

  test("20 concurrent get() calls on one provider make one token request", async () => {
    const tokens = provider(fake, kv);
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.get()));
    expect(new Set(results).size).toBe(1);
    expect(fake.state.tokenRequests).toBe(1);
    expect(fake.state.checkToken(results[0])).toBe(0);
  });

  test("20 callers spread over 4 instances make one token request", async () => {
    // A slow token endpoint makes sure the other instances really find the lock taken.
    fake.state.failNext("/cgi-bin/token", { delayMs: 150 });
    const instances = Array.from({ length: 4 }, () => provider(fake, kv));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => instances[i % 4].get()));
    expect(new Set(results).size).toBe(1);
    expect(fake.state.tokenRequests).toBe(1);
  });

  test("stores the token as JSON under the documented key with a TTL five minutes short of expiry", async () => {
    const token = await provider(fake, kv).get();
    const stored = JSON.parse((await kv.get(TOKEN_KEY))!);
    expect(stored.token).toBe(token);
    expect(stored.expiresAt - Date.now()).toBeGreaterThan(7190_000);
    const ttl = (await kv.ttl(TOKEN_KEY))!;
    expect(ttl).toBeGreaterThan(6890_000);
    expect(ttl).toBeLessThanOrEqual(6900_000);
    expect(await kv.get(LOCK_KEY)).toBeNull();
  });

  test("many callers invalidating the same rejected token cause one refresh", async () => {
    const instances = Array.from({ length: 4 }, () => provider(fake, kv));
    const first = await instances[0].get();
    const invalidated = await Promise.all(instances.map((tokens) => tokens.invalidate(first)));
    expect(invalidated.filter(Boolean)).toHaveLength(1);
    const next = await Promise.all(instances.map((tokens) => tokens.get()));
    expect(new Set(next)).toEqual(new Set([next[0]]));
    expect(next[0]).not.toBe(first);
    expect(fake.state.tokenRequests).toBe(2);
  });

  test("invalidating a token another instance already replaced leaves the new one alone", async () => {
    const a = provider(fake, kv);
    const b = provider(fake, kv);
    const old = await a.get();
    await a.invalidate(old);
    const replacement = await a.get();
    expect(await b.invalidate(old)).toBe(false);
    expect(await b.get()).toBe(replacement);
    expect(fake.state.tokenRequests).toBe(2);
  });

  test("takes over the refresh when a crashed holder's lock lapses", async () => {
    await kv.lock(LOCK_KEY, 300); // held by an instance that died before storing a token
    const started = Date.now();
    const token = await provider(fake, kv).get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(fake.state.checkToken(token)).toBe(0);
    expect(fake.state.tokenRequests).toBe(1);
  });
});

describe("AccessTokenProvider refresh timing and errors", () => {
  let fake: Fake;
  afterEach(() => fake.close());

  test("refreshes five minutes before expiry, not earlier", async () => {
    const clock = new ManualClock();
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, clock });
    const tokens = provider(fake, new MemoryKeyValueStore(clock), { clock });
    const first = await tokens.get();
    clock.advance(6800_000); // 400 s left
    expect(await tokens.get()).toBe(first);
    clock.advance(150_000); // 250 s left
    const second = await tokens.get();
    expect(second).not.toBe(first);
    expect(fake.state.tokenRequests).toBe(2);
  });

  test("refreshes by our own clock even when the store still holds the entry", async () => {
    // Redis expires by its own clock; the provider must not trust that alone.
    const clock = new ManualClock();
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, clock });
    const tokens = provider(fake, new MemoryKeyValueStore(), { clock });
    const first = await tokens.get();
    clock.advance(6950_000);
    expect(await tokens.get()).not.toBe(first);
  });

  test("a token that lives under two minutes is refreshed at half its life", async () => {
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, tokenTtlSeconds: 1 });
    const tokens = provider(fake, new MemoryKeyValueStore());
    const first = await tokens.get();
    expect(await tokens.get()).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await tokens.get()).not.toBe(first);
    expect(fake.state.tokenRequests).toBe(2);
  });

  test("a wrong secret is a permanent WechatApiError, shared by concurrent callers", async () => {
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET });
    const tokens = provider(fake, new MemoryKeyValueStore(), { appSecret: "wrong-secret-0000000000" });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.get()));
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(WechatApiError);
      expect(error).toMatchObject({ errcode: 40125, retryable: false, path: "/cgi-bin/token" });
      expect(error.message).not.toContain("wrong-secret");
    }
    expect(fake.state.tokenRequests).toBe(1);
  });

  test("a wrong appid answers 40013", async () => {
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET });
    await expect(provider(fake, new MemoryKeyValueStore(), { appId: "wxwrong000000000" }).get()).rejects.toMatchObject({
      errcode: 40013,
    });
  });

  test("a busy token endpoint is a transient error and the next call succeeds", async () => {
    fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET });
    const kv = new MemoryKeyValueStore();
    const tokens = provider(fake, kv);
    fake.state.failNext("/cgi-bin/token", { errcode: -1 });
    await expect(tokens.get()).rejects.toMatchObject({ errcode: -1, retryable: true });
    expect(await kv.get(LOCK_KEY)).toBeNull();
    expect(fake.state.checkToken(await tokens.get())).toBe(0);
  });
});
