import { IsNull, type DataSource, type EntityManager } from "typeorm";
import { badRequest, conflict, notFound } from "../../http/errors";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import type { AgentSockets } from "../../realtime/agentSockets";
import { Agent, AgentGroup, DEFAULT_AGENT_SETTINGS, type AgentRole } from "./agent.entity";
import type { AgentStatusService } from "./agentStatus";
import type { BindingQrService } from "./bindingQr";
import { isUniqueViolation } from "./bindingQr";
import { hashPassword } from "./passwords";
import type { SessionStore } from "./sessions";

/** Admin commands on agents and groups: create, change, delete (soft), unbind; group CRUD. */

export interface CreateAgentInput {
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId?: string | null;
  capacity?: number;
  password?: string;
}

export interface UpdateAgentInput {
  name?: string;
  jobNumber?: string;
  role?: AgentRole;
  groupId?: string | null;
  capacity?: number;
  password?: string | null;
}

export interface AgentFilter {
  bound?: boolean;
  role?: AgentRole;
  groupId?: string;
  q?: string;
}

const DEFAULT_CAPACITY = 5;

export class AgentAdmin {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      clock: Clock;
      sessions: SessionStore;
      status: AgentStatusService;
      binding: BindingQrService;
      sockets: () => AgentSockets | null;
    },
  ) {}

  async list(filter: AgentFilter): Promise<Agent[]> {
    const query = this.deps.dataSource.getRepository(Agent).createQueryBuilder("agent").where("agent.deleted_at IS NULL");
    if (filter.bound !== undefined) query.andWhere(filter.bound ? "agent.wechat_openid IS NOT NULL" : "agent.wechat_openid IS NULL");
    if (filter.role) query.andWhere("agent.role = :role", { role: filter.role });
    if (filter.groupId) query.andWhere("agent.group_id = :groupId", { groupId: filter.groupId });
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere("(agent.name LIKE :like OR agent.job_number LIKE :like)", { like });
    }
    return query.orderBy("agent.job_number", "ASC").getMany();
  }

  async get(agentId: string): Promise<Agent> {
    const agent = await this.deps.dataSource.getRepository(Agent).findOneBy({ id: agentId, deletedAt: IsNull() });
    if (!agent) throw notFound("客服不存在或已被删除");
    return agent;
  }

  async create(input: CreateAgentInput): Promise<Agent> {
    const now = this.deps.clock.now();
    const agent = this.deps.dataSource.getRepository(Agent).create({
      id: newId(),
      name: input.name,
      jobNumber: input.jobNumber,
      role: input.role,
      groupId: input.groupId ?? null,
      capacity: input.capacity ?? DEFAULT_CAPACITY,
      wechatOpenid: null,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      status: "offline",
      statusChangedAt: null,
      settings: { ...DEFAULT_AGENT_SETTINGS },
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await this.writeUniquely(agent.jobNumber, async (manager) => {
      await this.requireGroup(manager, agent.groupId);
      await this.requireFreeJobNumber(manager, agent.jobNumber, null);
      await manager.getRepository(Agent).insert(agent);
    });
    return agent;
  }

  async update(actorId: string, agentId: string, input: UpdateAgentInput): Promise<Agent> {
    const before = await this.get(agentId);
    const role = input.role ?? before.role;
    if (input.role !== undefined && input.role !== before.role && agentId === actorId) throw badRequest("own_role", "不能修改自己的角色");
    if (input.password && role !== "admin") throw badRequest("password_not_allowed", "只有管理员账号可以设置登录密码");

    const changes: Partial<Agent> = { updatedAt: this.deps.clock.now() };
    if (input.name !== undefined) changes.name = input.name;
    if (input.jobNumber !== undefined) changes.jobNumber = input.jobNumber;
    if (input.groupId !== undefined) changes.groupId = input.groupId;
    if (input.capacity !== undefined) changes.capacity = input.capacity;
    if (input.role !== undefined) changes.role = input.role;
    // Password login is for admins only: leaving the admin role takes the password away.
    if (role !== "admin") changes.passwordHash = null;
    else if (input.password !== undefined) changes.passwordHash = input.password === null ? null : await hashPassword(input.password);

    await this.writeUniquely(changes.jobNumber ?? before.jobNumber, async (manager) => {
      if (changes.groupId) await this.requireGroup(manager, changes.groupId);
      if (changes.jobNumber !== undefined) await this.requireFreeJobNumber(manager, changes.jobNumber, agentId);
      if (before.role === "admin" && role !== "admin") {
        // Locked count: two admins demoting each other at once must not leave none.
        const query = manager.getRepository(Agent).createQueryBuilder("agent").where("agent.role = 'admin' AND agent.deleted_at IS NULL");
        // SQLite has no row locks (and one writer at a time anyway).
        if (manager.connection.options.type === "mysql") query.setLock("pessimistic_write");
        const admins = await query.getMany();
        if (admins.length <= 1) throw conflict("last_admin", "至少需要保留一名管理员");
      }
      await manager.getRepository(Agent).update({ id: agentId, deletedAt: IsNull() }, changes);
    });
    const after = Object.assign(new Agent(), before, changes);

    if (after.role !== before.role || after.groupId !== before.groupId) {
      await this.deps.sockets()?.updateRooms(agentId, before, after);
    }
    if (after.capacity > before.capacity && after.status === "online") await this.deps.status.agentAvailable(agentId);
    return after;
  }

  /**
   * Soft delete: the row stays for history, the 工号 is suffixed so it can be given to someone new, the
   * WeChat ID is released, conversations are released (offline listeners) and every session ends.
   */
  async remove(actorId: string, agentId: string): Promise<void> {
    if (agentId === actorId) throw badRequest("delete_self", "不能删除自己的账号");
    const agent = await this.get(agentId);
    const now = this.deps.clock.now();
    const result = await this.deps.dataSource.getRepository(Agent).update(
      { id: agentId, deletedAt: IsNull() },
      {
        deletedAt: now,
        jobNumber: `${agent.jobNumber}#${agent.id.slice(-12)}`,
        wechatOpenid: null,
        passwordHash: null,
        status: "offline",
        statusChangedAt: now,
        updatedAt: now,
      },
    );
    if (!result.affected) throw notFound("客服不存在或已被删除");
    await this.deps.binding.invalidate(agentId);
    await this.deps.sessions.destroyAllOf(agentId);
    if (agent.status !== "offline") this.deps.status.publish(Object.assign(agent, { status: "offline", statusChangedAt: now }));
    await this.deps.status.agentWentOffline(agentId, "deleted");
    await this.deps.sockets()?.endSessions(agentId, "deleted");
  }

  /** Forgets the agent's WeChat ID (lost phone, wrong WeChat); they need a new binding code to log in by QR. */
  async unbind(agentId: string): Promise<Agent> {
    const agent = await this.get(agentId);
    const now = this.deps.clock.now();
    await this.deps.dataSource.getRepository(Agent).update({ id: agentId, deletedAt: IsNull() }, { wechatOpenid: null, updatedAt: now });
    return Object.assign(agent, { wechatOpenid: null, updatedAt: now });
  }

  // ---- groups ----

  async listGroups(): Promise<{ group: AgentGroup; memberCount: number }[]> {
    const groups = await this.deps.dataSource.getRepository(AgentGroup).find({ order: { name: "ASC" } });
    const counts: { groupId: string; n: string | number }[] = await this.deps.dataSource
      .getRepository(Agent)
      .createQueryBuilder("agent")
      .select("agent.group_id", "groupId")
      .addSelect("COUNT(*)", "n")
      .where("agent.deleted_at IS NULL AND agent.group_id IS NOT NULL")
      .groupBy("agent.group_id")
      .getRawMany();
    const byGroup = new Map(counts.map((row) => [row.groupId, Number(row.n)]));
    return groups.map((group) => ({ group, memberCount: byGroup.get(group.id) ?? 0 }));
  }

  async createGroup(name: string): Promise<AgentGroup> {
    const group = this.deps.dataSource.getRepository(AgentGroup).create({ id: newId(), name, createdAt: this.deps.clock.now() });
    await this.writeGroupUniquely(name, async (manager) => {
      await this.requireFreeGroupName(manager, name, null);
      await manager.getRepository(AgentGroup).insert(group);
    });
    return group;
  }

  async renameGroup(groupId: string, name: string): Promise<{ group: AgentGroup; memberCount: number }> {
    const group = await this.getGroup(groupId);
    await this.writeGroupUniquely(name, async (manager) => {
      await this.requireFreeGroupName(manager, name, groupId);
      await manager.getRepository(AgentGroup).update({ id: groupId }, { name });
    });
    group.name = name;
    return { group, memberCount: await this.memberCount(groupId) };
  }

  async deleteGroup(groupId: string): Promise<void> {
    const group = await this.getGroup(groupId);
    const members = await this.memberCount(groupId);
    if (members > 0) throw conflict("group_not_empty", `分组「${group.name}」下还有 ${members} 名客服，请先把他们调到其他分组`);
    await this.deps.dataSource.getRepository(AgentGroup).delete({ id: groupId });
  }

  async groupName(groupId: string | null): Promise<string | null> {
    if (!groupId) return null;
    return (await this.deps.dataSource.getRepository(AgentGroup).findOneBy({ id: groupId }))?.name ?? null;
  }

  async groupNames(): Promise<Map<string, string>> {
    const groups = await this.deps.dataSource.getRepository(AgentGroup).find();
    return new Map(groups.map((group) => [group.id, group.name]));
  }

  private async getGroup(groupId: string): Promise<AgentGroup> {
    const group = await this.deps.dataSource.getRepository(AgentGroup).findOneBy({ id: groupId });
    if (!group) throw notFound("分组不存在");
    return group;
  }

  private memberCount(groupId: string): Promise<number> {
    return this.deps.dataSource.getRepository(Agent).countBy({ groupId, deletedAt: IsNull() });
  }

  private async requireGroup(manager: EntityManager, groupId: string | null): Promise<AgentGroup> {
    const group = groupId ? await manager.getRepository(AgentGroup).findOneBy({ id: groupId }) : null;
    if (groupId && !group) throw badRequest("group_not_found", "分组不存在，请刷新后重新选择");
    return group as AgentGroup;
  }

  // 工号 and group names compare case-insensitively on every database (MySQL's collation already does).
  private async requireFreeJobNumber(manager: EntityManager, jobNumber: string, exceptId: string | null): Promise<void> {
    const holder = await manager
      .getRepository(Agent)
      .createQueryBuilder("agent")
      .where("LOWER(agent.job_number) = LOWER(:jobNumber) AND agent.deleted_at IS NULL", { jobNumber })
      .getOne();
    if (holder && holder.id !== exceptId) throw conflict("job_number_taken", `工号 ${jobNumber} 已被 ${holder.name} 使用`);
  }

  private async requireFreeGroupName(manager: EntityManager, name: string, exceptId: string | null): Promise<void> {
    const holder = await manager.getRepository(AgentGroup).createQueryBuilder("g").where("LOWER(g.name) = LOWER(:name)", { name }).getOne();
    if (holder && holder.id !== exceptId) throw conflict("group_name_taken", `分组「${name}」已存在`);
  }

  /** Runs a write whose check-then-insert can still lose a race: the unique index answers with the same 409. */
  private async writeUniquely(jobNumber: string, write: (manager: EntityManager) => Promise<void>): Promise<void> {
    try {
      await this.deps.dataSource.transaction(write);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("job_number_taken", `工号 ${jobNumber} 已被使用`);
      throw error;
    }
  }

  private async writeGroupUniquely(name: string, write: (manager: EntityManager) => Promise<void>): Promise<void> {
    try {
      await this.deps.dataSource.transaction(write);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("group_name_taken", `分组「${name}」已存在`);
      throw error;
    }
  }
}
