import { createHash, randomBytes } from "node:crypto";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";

/** Console sessions live in the key-value store (shared by every instance); the cookie holds only a random token. */
export const SESSION_COOKIE = "shuiwu_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface SessionRecord {
  agentId: string;
  createdAt: number;
  /** The agent's session generation when this session was created; ending all sessions bumps it. */
  generation: number;
}

// Only a hash of the token is stored, so a leaked store dump cannot be replayed as cookies.
const keyOf = (token: string) => `session:${createHash("sha256").update(token).digest("hex")}`;
// The store cannot list keys, so "end every session of this agent" is a counter every session checks.
const generationKey = (agentId: string) => `session-generation:${agentId}`;

export class SessionStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async create(agentId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    const record: SessionRecord = { agentId, createdAt: Date.now(), generation: await this.generation(agentId) };
    await this.kv.set(keyOf(token), JSON.stringify(record), this.ttlMs);
    return token;
  }

  /** The agent id of a live session; sliding expiry: use renews it when less than half its lifetime is left. */
  async resolve(token: string | undefined): Promise<string | null> {
    if (!token || token.length > 100) return null;
    const key = keyOf(token);
    const raw = await this.kv.get(key);
    if (!raw) return null;
    const record = JSON.parse(raw) as SessionRecord;
    if ((record.generation ?? 0) !== (await this.generation(record.agentId))) {
      await this.kv.delete(key);
      return null;
    }
    const ttl = await this.kv.ttl(key);
    if (ttl !== null && ttl < this.ttlMs / 2) await this.kv.set(key, raw, this.ttlMs);
    return record.agentId;
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.kv.delete(keyOf(token));
  }

  /** Ends every session of the agent, on every instance (logout everywhere, deletion). */
  async destroyAllOf(agentId: string): Promise<void> {
    await this.kv.increment(generationKey(agentId));
  }

  private async generation(agentId: string): Promise<number> {
    return Number((await this.kv.get(generationKey(agentId))) ?? 0);
  }
}
