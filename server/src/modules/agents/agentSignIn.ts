import type { DataSource } from "typeorm";
import { HttpError } from "../../http/errors";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { AgentSockets } from "../../realtime/agentSockets";
import { Agent } from "./agent.entity";
import type { AgentStatusService } from "./agentStatus";
import { verifyPassword } from "./passwords";
import type { SessionStore } from "./sessions";

/** Failed password attempts allowed per 工号 and per IP address within the window. */
export const PASSWORD_ATTEMPTS = 5;
export const PASSWORD_WINDOW_MS = 15 * 60_000;

export const invalidCredentials = () => new HttpError(401, "invalid_credentials", "工号或密码错误");

/**
 * Starting and ending console sessions: QR login (after the exchange), password login, logout.
 * Logging in sets an offline agent online; logging out sets them offline, which releases their
 * conversations, and ends every session of theirs (every browser), whose sockets are told and closed.
 */
export class AgentSignIn {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      kv: KeyValueStore;
      sessions: SessionStore;
      status: AgentStatusService;
      sockets: () => AgentSockets | null;
    },
  ) {}

  /** A new session for the agent; returns the cookie token. */
  async signIn(agent: Agent): Promise<{ token: string; agent: Agent }> {
    const token = await this.deps.sessions.create(agent.id);
    const current = agent.status === "offline" ? ((await this.deps.status.setStatus(agent.id, "online")) ?? agent) : agent;
    return { token, agent: current };
  }

  async logout(agentId: string): Promise<void> {
    await this.deps.sessions.destroyAllOf(agentId);
    await this.deps.status.setStatus(agentId, "offline", "logout");
    await this.deps.sockets()?.endSessions(agentId, "logout");
  }

  /**
   * Checks a 工号 + password. Every attempt first takes a slot in two counters (per 工号, per IP) so that
   * concurrent guesses cannot all slip under the limit; a success gives its slot back and clears the
   * 工号's failures. Unknown 工号, no password and a wrong password are the same error, equally slow.
   */
  async withPassword(jobNumber: string, password: string, ip: string): Promise<Agent> {
    const { kv } = this.deps;
    const keys = [`login-fail:job:${jobNumber.toLowerCase()}`, `login-fail:ip:${ip}`];
    const counts = await Promise.all(keys.map((key) => kv.increment(key, 1, PASSWORD_WINDOW_MS)));
    if (counts.some((count) => count > PASSWORD_ATTEMPTS)) {
      await Promise.all(keys.map((key) => kv.increment(key, -1, PASSWORD_WINDOW_MS)));
      const waits = await Promise.all(keys.map((key, i) => (counts[i]! > PASSWORD_ATTEMPTS ? kv.ttl(key) : Promise.resolve(0))));
      const waitMs = Math.max(60_000, ...waits.map((ms) => ms ?? PASSWORD_WINDOW_MS));
      const minutes = Math.ceil(waitMs / 60_000);
      throw new HttpError(429, "too_many_attempts", `密码错误次数过多，请 ${minutes} 分钟后再试`, { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    }
    const agent = await this.deps.dataSource
      .getRepository(Agent)
      .createQueryBuilder("agent")
      .where("LOWER(agent.job_number) = LOWER(:jobNumber) AND agent.deleted_at IS NULL", { jobNumber })
      .getOne();
    const ok = await verifyPassword(password, agent?.passwordHash ?? null);
    if (!ok || !agent || agent.role !== "admin") throw invalidCredentials();
    await Promise.all([kv.delete(keys[0]!), kv.increment(keys[1]!, -1, PASSWORD_WINDOW_MS)]);
    return agent;
  }
}
