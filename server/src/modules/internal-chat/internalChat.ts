import { Brackets, IsNull, Not, type DataSource } from "typeorm";
import { badRequest, notFound } from "../../http/errors";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import type { RealtimePublisher } from "../../realtime/publisher";
import { Agent, AgentGroup, type AgentRole, type AgentStatus } from "../agents/agent.entity";
import type { AgentDirectory } from "../agents/agentDirectory";
import { InternalMessage } from "./internalMessage.entity";

/**
 * 内部沟通: one-to-one messages between agents. Every read is scoped to a pair that includes the reader,
 * so only the two participants ever see a pair's messages (supervisors included).
 */

export interface ColleagueView {
  id: string;
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId: string | null;
  groupName: string | null;
  status: AgentStatus;
  /** Has the console open (a live socket on any instance). */
  connected: boolean;
  /** Messages from this colleague I have not read. */
  unread: number;
}

export interface InternalMessageView {
  id: string;
  fromAgentId: string;
  toAgentId: string;
  content: string;
  createdAt: string;
  readAt: string | null;
}

export const MAX_PAGE = 100;
const STATUS_ORDER: Record<AgentStatus, number> = { online: 0, away: 1, offline: 2 };

export function presentInternalMessage(message: InternalMessage): InternalMessageView {
  return {
    id: message.id,
    fromAgentId: message.fromAgentId,
    toAgentId: message.toAgentId,
    content: message.content,
    createdAt: message.createdAt.toISOString(),
    readAt: message.readAt?.toISOString() ?? null,
  };
}

export class InternalChat {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      clock: Clock;
      directory: AgentDirectory;
      realtime: () => RealtimePublisher;
    },
  ) {}

  /** Every other live agent: online first, then away, then offline; by name within each. */
  async colleagues(meId: string): Promise<ColleagueView[]> {
    const { dataSource } = this.deps;
    const [agents, groups, unread, connected] = await Promise.all([
      dataSource.getRepository(Agent).findBy({ id: Not(meId), deletedAt: IsNull() }),
      dataSource.getRepository(AgentGroup).find(),
      dataSource
        .getRepository(InternalMessage)
        .createQueryBuilder("m")
        .select("m.from_agent_id", "fromAgentId")
        .addSelect("COUNT(*)", "n")
        .where("m.to_agent_id = :meId AND m.read_at IS NULL", { meId })
        .groupBy("m.from_agent_id")
        .getRawMany<{ fromAgentId: string; n: string | number }>(),
      this.deps.directory.connectedAgentIds(),
    ]);
    const groupNames = new Map(groups.map((group) => [group.id, group.name]));
    const unreadFrom = new Map(unread.map((row) => [row.fromAgentId, Number(row.n)]));
    return agents
      .map((agent) => ({
        id: agent.id,
        name: agent.name,
        jobNumber: agent.jobNumber,
        role: agent.role,
        groupId: agent.groupId,
        groupName: agent.groupId ? (groupNames.get(agent.groupId) ?? null) : null,
        status: agent.status,
        connected: connected.has(agent.id),
        unread: unreadFrom.get(agent.id) ?? 0,
      }))
      .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name, "zh-CN"));
  }

  /**
   * A page of the conversation between me and a colleague, oldest first: the newest `limit` messages,
   * or those before the message `before` (ids are time-ordered). `hasMore` says whether older ones exist.
   */
  async messages(meId: string, withId: string, options: { before?: string; limit: number }): Promise<{ messages: InternalMessageView[]; hasMore: boolean }> {
    if (withId === meId) throw badRequest("self_chat", "不能和自己内部沟通");
    // A deleted colleague's history stays readable; someone who never existed is not found.
    if (!(await this.deps.dataSource.getRepository(Agent).existsBy({ id: withId }))) throw notFound("同事不存在");
    const query = this.deps.dataSource
      .getRepository(InternalMessage)
      .createQueryBuilder("m")
      .where(
        new Brackets((pair) =>
          pair
            .where("(m.from_agent_id = :meId AND m.to_agent_id = :withId)", { meId, withId })
            .orWhere("(m.from_agent_id = :withId AND m.to_agent_id = :meId)", { meId, withId }),
        ),
      );
    if (options.before) query.andWhere("m.id < :before", { before: options.before });
    const rows = await query
      .orderBy("m.id", "DESC")
      .take(options.limit + 1)
      .getMany();
    const hasMore = rows.length > options.limit;
    return { messages: rows.slice(0, options.limit).reverse().map(presentInternalMessage), hasMore };
  }

  /** Sends a message to a live colleague and pushes it to them (and to my other tabs). */
  async send(meId: string, toId: string, content: string): Promise<InternalMessageView> {
    if (toId === meId) throw badRequest("self_chat", "不能给自己发内部消息");
    const recipient = await this.deps.directory.getAgent(toId);
    if (!recipient) throw notFound("同事不存在或已被删除");
    const message = this.deps.dataSource.getRepository(InternalMessage).create({
      id: newId(),
      fromAgentId: meId,
      toAgentId: toId,
      content,
      createdAt: this.deps.clock.now(),
      readAt: null,
    });
    await this.deps.dataSource.getRepository(InternalMessage).insert(message);
    const view = presentInternalMessage(message);
    const realtime = this.deps.realtime();
    realtime.toAgent(toId, "internal:message", { message: view });
    realtime.toAgent(meId, "internal:message", { message: view });
    return view;
  }

  /** Marks everything the colleague sent me as read; returns how many messages changed. */
  async markRead(meId: string, withId: string): Promise<number> {
    const result = await this.deps.dataSource
      .getRepository(InternalMessage)
      .update({ fromAgentId: withId, toAgentId: meId, readAt: IsNull() }, { readAt: this.deps.clock.now() });
    return result.affected ?? 0;
  }
}
