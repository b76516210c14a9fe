import { IsNull, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { Agent, type AgentSettings } from "./agent.entity";
import { settingsOf } from "./agentDirectory";
import type { AgentStatusService } from "./agentStatus";

export type SettingsChanges = Partial<AgentSettings> & { capacity?: number };

/** An agent's own preferences (auto-accept, capacity, greeting, away reply, notifications, send key). */
export class AgentSettingsService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      clock: Clock;
      status: AgentStatusService;
    },
  ) {}

  get(agentId: string): Promise<Agent | null> {
    return this.deps.dataSource.getRepository(Agent).findOneBy({ id: agentId, deletedAt: IsNull() });
  }

  /** Merges the changes into the stored settings; null when the agent is gone. */
  async update(agentId: string, changes: SettingsChanges): Promise<Agent | null> {
    const { capacity, ...preferences } = changes;
    let before: Agent | null = null;
    const after = await this.deps.dataSource.transaction(async (manager) => {
      const query = manager.getRepository(Agent).createQueryBuilder("agent").where("agent.id = :agentId AND agent.deleted_at IS NULL", { agentId });
      // Two tabs saving at once must not lose either change: the merge happens under the row lock.
      if (manager.connection.options.type === "mysql") query.setLock("pessimistic_write");
      const agent = await query.getOne();
      if (!agent) return null;
      before = Object.assign(new Agent(), agent);
      const settings: AgentSettings = { ...settingsOf(agent), ...preferences };
      const updated = Object.assign(agent, { settings, capacity: capacity ?? agent.capacity, updatedAt: this.deps.clock.now() });
      await manager.getRepository(Agent).update({ id: agentId }, { settings, capacity: updated.capacity, updatedAt: updated.updatedAt });
      return updated;
    });
    const previous = before as Agent | null;
    if (after && previous && after.status === "online") {
      const moreRoom = after.capacity > previous.capacity;
      const autoAcceptOn = settingsOf(after).autoAccept && !settingsOf(previous).autoAccept;
      if (moreRoom || autoAcceptOn) await this.deps.status.agentAvailable(agentId);
    }
    return after;
  }
}
