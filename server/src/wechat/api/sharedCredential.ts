import { setTimeout as sleep } from "node:timers/promises";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { LOCAL_ERRCODE, WechatApiError } from "./errors";

/**
 * A credential WeChat hands out with an expiry and revokes when a new one is issued (the access token,
 * the JS-SDK ticket). Every instance must share one copy: each fetch of a new access token invalidates
 * the previous one, so two instances refreshing independently would keep knocking each other out.
 * Hence one copy in the key-value store, refreshed early by a single holder of a lock
 * (the pattern of WxJava's BaseWxMpServiceImpl).
 */

/** Refresh when less than this remains, so a token never expires between reading and using it. */
const REFRESH_MARGIN_SECONDS = 300;
/** The lock outlives a normal refresh; if its holder dies, the others take over once it lapses. */
const LOCK_TTL_MS = 10_000;
const POLL_INTERVAL_MS = 50;
/** Waiters give up a little after the lock would have lapsed, having tried to take it themselves. */
const WAIT_LIMIT_MS = 12_000;

export interface FreshCredential {
  value: string;
  expiresInSeconds: number;
}

export interface SharedCredentialOptions {
  kv: KeyValueStore;
  cacheKey: string;
  lockKey: string;
  /** Name of the value in the stored JSON, e.g. "token" → {"token":"…","expiresAt":…,"refreshAt":…}. */
  field: string;
  /** The API path reported when waiting times out. */
  path: string;
  clock: Clock;
  logger: Logger;
  /** Fetches a new credential from WeChat; only ever called by the lock holder. */
  fetchFresh: () => Promise<FreshCredential>;
}

interface Cached {
  value: string;
  raw: string;
  /** Epoch ms from which we fetch a new one. */
  refreshAt: number;
}

export class SharedCredential {
  /** Concurrent callers in this process share one refresh instead of queueing on the lock. */
  private refreshing: Promise<string> | undefined;

  constructor(private readonly options: SharedCredentialOptions) {}

  async get(): Promise<string> {
    const cached = await this.readFresh();
    if (cached) return cached.value;
    if (!this.refreshing) {
      this.refreshing = this.refreshOnce().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  /**
   * Drops the cached credential if it is still `value`. Many callers reporting the same rejected value
   * thus cause one refresh, and a value another instance already replaced is left alone.
   */
  async invalidate(value: string): Promise<boolean> {
    const cached = await this.read();
    if (!cached || cached.value !== value) return false;
    // Compare on the raw stored text: if anyone replaced it since we read, nothing is deleted.
    return this.options.kv.deleteIfEquals(this.options.cacheKey, cached.raw);
  }

  private async refreshOnce(): Promise<string> {
    const { kv, lockKey } = this.options;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const lock = await kv.lock(lockKey, LOCK_TTL_MS);
      if (lock) {
        try {
          return await this.refreshHoldingLock();
        } finally {
          // The lock lapses by itself; failing to release it only delays the next refresh.
          await lock.release().catch((error: unknown) => this.options.logger.warn({ err: error }, `wechat ${this.options.field} lock release failed`));
        }
      }
      await sleep(POLL_INTERVAL_MS);
      const cached = await this.readFresh();
      if (cached) return cached.value;
      if (Date.now() > deadline) {
        throw new WechatApiError({
          path: this.options.path,
          errcode: LOCAL_ERRCODE.refreshWait,
          errmsg: `no fresh ${this.options.field} appeared while another instance held the refresh lock`,
        });
      }
    }
  }

  private async refreshHoldingLock(): Promise<string> {
    const { kv, cacheKey, field, clock, logger } = this.options;
    // Someone may have refreshed between our cache miss and taking the lock.
    const cached = await this.readFresh();
    if (cached) return cached.value;

    const fresh = await this.options.fetchFresh();
    const now = clock.now().getTime();
    const lifetimeMs = fresh.expiresInSeconds * 1000;
    // Normally refresh 5 minutes early, at least a minute after fetching; a credential that lives
    // shorter than two minutes (test setups) is refreshed at half its life so it is never used expired.
    const keepMs = Math.max(lifetimeMs - REFRESH_MARGIN_SECONDS * 1000, Math.min(60_000, lifetimeMs / 2));
    const stored = { [field]: fresh.value, expiresAt: now + lifetimeMs, refreshAt: now + keepMs };
    await kv.set(cacheKey, JSON.stringify(stored), keepMs);
    logger.info({ expiresInSeconds: fresh.expiresInSeconds }, `wechat ${field} refreshed`);
    return fresh.value;
  }

  private async readFresh(): Promise<Cached | null> {
    const cached = await this.read();
    // The store's TTL already drops it at refreshAt; checking our clock too keeps stores whose clock
    // differs from ours (Redis, or a test's manual clock) from handing out a stale value.
    return cached && cached.refreshAt > this.options.clock.now().getTime() ? cached : null;
  }

  private async read(): Promise<Cached | null> {
    const raw = await this.options.kv.get(this.options.cacheKey);
    if (raw === null) return null;
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      const value = parsed[this.options.field];
      const expiresAt = Number(parsed.expiresAt);
      // refreshAt is ours; an entry with only {value, expiresAt} (the documented minimum) still works.
      const refreshAt = parsed.refreshAt === undefined ? expiresAt - REFRESH_MARGIN_SECONDS * 1000 : Number(parsed.refreshAt);
      if (typeof value === "string" && Number.isFinite(refreshAt)) {
        return { value, raw, refreshAt };
      }
    } catch {
      // An unreadable entry is treated as absent and overwritten by the next refresh.
    }
    return null;
  }
}
