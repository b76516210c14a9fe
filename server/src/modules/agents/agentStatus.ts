import { IsNull, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { RealtimePublisher } from "../../realtime/publisher";
import type { ServerContext } from "../module";
import { Agent, type AgentStatus } from "./agent.entity";

/** Where the agents module registers its AgentStatusService in ServerContext.services. */
export const AGENT_STATUS_SERVICE = "agents.status";

/**
 * Why an agent went offline: they chose it ("status"), logged out, were deleted by an admin, or closed
 * the console without logging out (no socket for the grace period, "disconnected").
 */
export type OfflineReason = "status" | "logout" | "deleted" | "disconnected";

/** Releases what the agent holds (the conversations module re-queues or expires their conversations). Must be idempotent. */
export type AgentOfflineListener = (agentId: string, reason: OfflineReason) => Promise<void>;
/** The agent can take more conversations: went online, raised capacity or turned auto-accept on while online. */
export type AgentAvailableListener = (agentId: string) => Promise<void>;

/** The payload of `agent:status`, to every agent's colleague list. */
export interface AgentStatusEvent {
  agentId: string;
  name: string;
  status: AgentStatus;
  statusChangedAt: string | null;
}

/**
 * The one place an agent's status changes. Other modules subscribe here rather than being called by
 * name, so agents does not depend on conversations.
 */
export class AgentStatusService {
  private readonly offlineListeners: AgentOfflineListener[] = [];
  private readonly availableListeners: AgentAvailableListener[] = [];

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      clock: Clock;
      logger: Logger;
      /** Read at call time: the realtime module replaces the context's publisher when it installs. */
      realtime: () => RealtimePublisher;
    },
  ) {}

  onAgentOffline(listener: AgentOfflineListener): void {
    this.offlineListeners.push(listener);
  }

  onAgentAvailable(listener: AgentAvailableListener): void {
    this.availableListeners.push(listener);
  }

  /**
   * Sets a live agent's status and tells every agent. Going offline (for any reason, even when already
   * offline) runs the offline listeners after the change is stored; going online runs the available ones.
   * Null when the agent does not exist or was deleted.
   */
  async setStatus(agentId: string, status: AgentStatus, reason: OfflineReason = "status"): Promise<Agent | null> {
    const repository = this.deps.dataSource.getRepository(Agent);
    const agent = await repository.findOneBy({ id: agentId, deletedAt: IsNull() });
    if (!agent) return null;
    const previous = agent.status;
    if (previous !== status) {
      const now = this.deps.clock.now();
      await repository.update({ id: agentId, deletedAt: IsNull() }, { status, statusChangedAt: now, updatedAt: now });
      agent.status = status;
      agent.statusChangedAt = now;
      agent.updatedAt = now;
      this.publish(agent);
    }
    if (status === "offline") await this.agentWentOffline(agentId, reason);
    if (status === "online" && previous !== "online") await this.agentAvailable(agentId);
    return agent;
  }

  /** Runs the offline listeners for an agent whose row was already changed (deletion). */
  async agentWentOffline(agentId: string, reason: OfflineReason): Promise<void> {
    for (const listener of this.offlineListeners) {
      try {
        await listener(agentId, reason);
      } catch (error) {
        // The status is stored; a failing listener must not undo it. Its own timers catch up (30-minute expiry).
        this.deps.logger.error({ err: error, agentId, reason }, "agent offline listener failed");
      }
    }
  }

  async agentAvailable(agentId: string): Promise<void> {
    for (const listener of this.availableListeners) {
      try {
        await listener(agentId);
      } catch (error) {
        this.deps.logger.error({ err: error, agentId }, "agent available listener failed");
      }
    }
  }

  publish(agent: Agent): void {
    const event: AgentStatusEvent = {
      agentId: agent.id,
      name: agent.name,
      status: agent.status,
      statusChangedAt: agent.statusChangedAt?.toISOString() ?? null,
    };
    this.deps.realtime().toAllAgents("agent:status", event);
  }
}

/** The agents module's status service, for modules installed after it. */
export function agentStatusService(context: ServerContext): AgentStatusService {
  const service = context.services.get(AGENT_STATUS_SERVICE);
  if (!(service instanceof AgentStatusService)) throw new Error("the agents module must be installed before modules that use agent status");
  return service;
}
