import { ApiClient, API_ROOT } from "./ApiClient";
import type { AdminAgentView, AgentRole, GroupView } from "./types";

export interface AgentInput {
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId?: string | null;
  capacity?: number;
  /** Admins only; null removes it (QR login only). */
  password?: string | null;
}

export interface BindingQr {
  scene: string;
  imageUrl: string;
  expiresAt: string;
}

/** Admin: agents and their WeChat binding (server/src/http/console/agents.ts). */
export class AgentsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/agents`);
  }

  async list(filter: { bound?: boolean; role?: AgentRole; groupId?: string; q?: string } = {}): Promise<AdminAgentView[]> {
    return (await this.get<{ agents: AdminAgentView[] }>("", filter)).agents;
  }

  async create(input: AgentInput): Promise<AdminAgentView> {
    return (await this.post<{ agent: AdminAgentView }>("", input)).agent;
  }

  async update(id: string, changes: Partial<AgentInput>): Promise<AdminAgentView> {
    return (await this.patch<{ agent: AdminAgentView }>(`/${id}`, changes)).agent;
  }

  remove(id: string): Promise<void> {
    return this.delete(`/${id}`);
  }

  /** A new one-time binding QR code (the previous one stops working). */
  issueBindingQr(id: string): Promise<BindingQr> {
    return this.post(`/${id}/binding-qr`);
  }

  currentBindingQr(id: string): Promise<BindingQr> {
    return this.get(`/${id}/binding-qr`);
  }

  async unbind(id: string): Promise<AdminAgentView> {
    return (await this.delete<{ agent: AdminAgentView }>(`/${id}/binding`)).agent;
  }
}

/** Groups: every agent reads them; admins change them. */
export class AgentGroupsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/agent-groups`);
  }

  async list(): Promise<GroupView[]> {
    return (await this.get<{ groups: GroupView[] }>()).groups;
  }

  async create(name: string): Promise<GroupView> {
    return (await this.post<{ group: GroupView }>("", { name })).group;
  }

  async rename(id: string, name: string): Promise<GroupView> {
    return (await this.patch<{ group: GroupView }>(`/${id}`, { name })).group;
  }

  remove(id: string): Promise<void> {
    return this.delete(`/${id}`);
  }
}

export const agentsApi = new AgentsApi();
export const agentGroupsApi = new AgentGroupsApi();
