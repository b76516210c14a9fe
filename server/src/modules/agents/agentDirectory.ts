import { In, IsNull, type DataSource } from "typeorm";
import type { AgentSockets } from "../../realtime/agentSockets";
import type { ServerContext } from "../module";
import { Agent, AgentGroup, DEFAULT_AGENT_SETTINGS, type AgentSettings } from "./agent.entity";

/** Where the agents module registers its AgentDirectory in ServerContext.services. */
export const AGENT_DIRECTORY_SERVICE = "agents.directory";

/** An agent's settings with defaults filled in for keys added after the row was written. */
export function settingsOf(agent: Pick<Agent, "settings">): AgentSettings {
  return { ...DEFAULT_AGENT_SETTINGS, ...(agent.settings ?? {}) };
}

/**
 * Read-only lookups other modules need about agents (routing, transfer targets, WeChat-ID checks).
 * Only live (not deleted) agents are ever returned.
 */
export class AgentDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sockets: () => AgentSockets | null,
  ) {}

  async getAgent(agentId: string): Promise<Agent | null> {
    return this.dataSource.getRepository(Agent).findOneBy({ id: agentId, deletedAt: IsNull() });
  }

  async getAgents(agentIds: string[]): Promise<Agent[]> {
    if (agentIds.length === 0) return [];
    return this.dataSource.getRepository(Agent).findBy({ id: In(agentIds), deletedAt: IsNull() });
  }

  /** Agents whose status is online (with capacity and settings, e.g. settingsOf(agent).autoAccept). */
  async listOnline(): Promise<Agent[]> {
    return this.dataSource.getRepository(Agent).find({ where: { status: "online", deletedAt: IsNull() }, order: { name: "ASC" } });
  }

  /** The live agent bound to this WeChat openid (an agent's own phone), if any. */
  async findByOpenid(openid: string): Promise<Agent | null> {
    return this.dataSource.getRepository(Agent).findOneBy({ wechatOpenid: openid, deletedAt: IsNull() });
  }

  async groupName(groupId: string | null): Promise<string | null> {
    if (!groupId) return null;
    return (await this.dataSource.getRepository(AgentGroup).findOneBy({ id: groupId }))?.name ?? null;
  }

  /** Agents with a live console socket on any instance (empty without a socket server). */
  async connectedAgentIds(): Promise<Set<string>> {
    return (await this.sockets()?.connectedAgentIds()) ?? new Set();
  }

  async isConnected(agentId: string): Promise<boolean> {
    return (await this.sockets()?.isConnected(agentId)) ?? false;
  }
}

/** The agents module's directory, for modules installed after it. */
export function agentDirectory(context: ServerContext): AgentDirectory {
  const service = context.services.get(AGENT_DIRECTORY_SERVICE);
  if (!(service instanceof AgentDirectory)) throw new Error("the agents module must be installed before modules that use the agent directory");
  return service;
}
