import type { Socket } from "socket.io";
import type { AgentRole } from "../modules/agents/agent.entity";

/** Where the realtime module registers its AgentSockets in ServerContext.services. */
export const AGENT_SOCKETS_SERVICE = "realtime.agentSockets";

/** What a signed-in socket carries (socket.data); visible to every instance through fetchSockets. */
export interface AgentSocketData {
  agentId: string;
  role: AgentRole;
  groupId: string | null;
}

export interface SocketData {
  agent?: AgentSocketData;
  /** The login scene an unauthenticated login page watches. */
  loginScene?: string;
}

/** The rooms a signed-in agent's sockets are in. */
export const rooms = {
  agent: (agentId: string) => `agent:${agentId}`,
  group: (groupId: string) => `group:${groupId}`,
  agents: "agents",
  supervisors: "supervisors",
  loginPage: (scene: string) => `login:${scene}`,
};

export function roomsOf(agent: { id: string; role: AgentRole; groupId: string | null }): string[] {
  return [
    rooms.agent(agent.id),
    rooms.agents,
    ...(agent.groupId ? [rooms.group(agent.groupId)] : []),
    ...(agent.role === "agent" ? [] : [rooms.supervisors]),
  ];
}

export type SessionEndReason = "logout" | "deleted";

/**
 * The agents' live sockets, across every instance: presence for colleague lists, ending sessions,
 * keeping rooms in step with role and group changes.
 */
export interface AgentSockets {
  /** Agents with at least one connected socket on any instance. */
  connectedAgentIds(): Promise<Set<string>>;
  isConnected(agentId: string): Promise<boolean>;
  /** Tells the agent's sockets their session ended (`session:ended`) and disconnects them. */
  endSessions(agentId: string, reason: SessionEndReason): Promise<void>;
  /** Moves the agent's sockets to the rooms of a new role or group. */
  updateRooms(agentId: string, before: { role: AgentRole; groupId: string | null }, after: { role: AgentRole; groupId: string | null }): Promise<void>;
  /**
   * Called when an agent has had no socket on any instance for the grace period (closed the browser
   * without logging out); the agents module sets them offline.
   */
  onAgentGone(listener: (agentId: string) => Promise<void>): void;
  /** Lets another module handle events from signed-in sockets (e.g. typing indicators). */
  onAgentSocket(listener: (socket: Socket, agent: AgentSocketData) => void): void;
}
