import type { Agent, AgentGroup, AgentRole, AgentSettings, AgentStatus } from "./agent.entity";
import { settingsOf } from "./agentDirectory";

/** The JSON shapes of agents, groups and the signed-in agent; REST and socket events use only these. */

export interface AgentView {
  id: string;
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId: string | null;
  groupName: string | null;
  capacity: number;
  status: AgentStatus;
  statusChangedAt: string | null;
  /** A WeChat ID is bound: the agent can log in by scanning. */
  bound: boolean;
  /** Password login is possible (admins). */
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Admins also see the bound openid. */
export interface AdminAgentView extends AgentView {
  wechatOpenid: string | null;
}

export type SettingsView = AgentSettings & { capacity: number };

export interface MeView {
  agent: AgentView;
  settings: SettingsView;
}

export interface GroupView {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

export function presentAgent(agent: Agent, groupName: string | null): AgentView {
  return {
    id: agent.id,
    name: agent.name,
    jobNumber: agent.jobNumber,
    role: agent.role,
    groupId: agent.groupId,
    groupName,
    capacity: agent.capacity,
    status: agent.status,
    statusChangedAt: agent.statusChangedAt?.toISOString() ?? null,
    bound: agent.wechatOpenid !== null,
    hasPassword: agent.passwordHash !== null,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}

export function presentAgentForAdmin(agent: Agent, groupName: string | null): AdminAgentView {
  return { ...presentAgent(agent, groupName), wechatOpenid: agent.wechatOpenid };
}

export function presentSettings(agent: Agent): SettingsView {
  return { ...settingsOf(agent), capacity: agent.capacity };
}

export function presentMe(agent: Agent, groupName: string | null): MeView {
  return { agent: presentAgent(agent, groupName), settings: presentSettings(agent) };
}

export function presentGroup(group: AgentGroup, memberCount: number): GroupView {
  return { id: group.id, name: group.name, memberCount, createdAt: group.createdAt.toISOString() };
}
