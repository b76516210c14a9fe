import { defineStore } from "pinia";
import { ref } from "vue";
import { agentGroupsApi, agentsApi, type AgentInput, type BindingQr } from "../api/agents";
import type { AdminAgentView, AgentStatusEvent, AgentView, GroupView } from "../api/types";
import { ElNotification } from "element-plus";

/** Admin: agents, groups and binding codes. */
export const useAgentsAdminStore = defineStore("agentsAdmin", () => {
  const agents = ref<AdminAgentView[]>([]);
  const groups = ref<GroupView[]>([]);
  const loading = ref(false);
  /** The binding QR code shown in the dialog, for this agent. */
  const bindingFor = ref<string | null>(null);
  const binding = ref<BindingQr | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      [agents.value, groups.value] = await Promise.all([agentsApi.list(), agentGroupsApi.list()]);
    } finally {
      loading.value = false;
    }
  }

  async function loadGroups(): Promise<void> {
    groups.value = await agentGroupsApi.list();
  }

  function replace(agent: AdminAgentView): void {
    const index = agents.value.findIndex((a) => a.id === agent.id);
    if (index >= 0) agents.value.splice(index, 1, agent);
    else agents.value.push(agent);
  }

  async function create(input: AgentInput): Promise<AdminAgentView> {
    const agent = await agentsApi.create(input);
    replace(agent);
    await loadGroups();
    return agent;
  }

  async function update(id: string, changes: Partial<AgentInput>): Promise<void> {
    replace(await agentsApi.update(id, changes));
    await loadGroups();
  }

  async function remove(id: string): Promise<void> {
    await agentsApi.remove(id);
    agents.value = agents.value.filter((a) => a.id !== id);
    await loadGroups();
  }

  async function unbind(id: string): Promise<void> {
    replace(await agentsApi.unbind(id));
  }

  /** Shows the agent's current binding code, or issues one when there is none (or `reissue`). */
  async function showBinding(id: string, reissue = false): Promise<void> {
    bindingFor.value = id;
    binding.value = null;
    if (!reissue) {
      try {
        binding.value = await agentsApi.currentBindingQr(id);
        return;
      } catch {
        // none yet (or expired): issue one below
      }
    }
    binding.value = await agentsApi.issueBindingQr(id);
  }

  function hideBinding(): void {
    bindingFor.value = null;
    binding.value = null;
  }

  async function createGroup(name: string): Promise<void> {
    await agentGroupsApi.create(name);
    await loadGroups();
  }

  async function renameGroup(id: string, name: string): Promise<void> {
    await agentGroupsApi.rename(id, name);
    await load();
  }

  async function removeGroup(id: string): Promise<void> {
    await agentGroupsApi.remove(id);
    await load();
  }

  // ---- realtime ----

  /** binding:done: an agent scanned their binding code. */
  function bound(event: { agent: AgentView }): void {
    const existing = agents.value.find((a) => a.id === event.agent.id);
    if (existing) Object.assign(existing, event.agent);
    if (bindingFor.value === event.agent.id) hideBinding();
    ElNotification({ title: "绑定成功", message: `${event.agent.name}（工号 ${event.agent.jobNumber}）已绑定微信`, type: "success", position: "bottom-right" });
  }

  function statusChanged(event: AgentStatusEvent): void {
    const agent = agents.value.find((a) => a.id === event.agentId);
    if (agent) {
      agent.status = event.status;
      agent.statusChangedAt = event.statusChangedAt;
    }
  }

  return {
    agents,
    groups,
    loading,
    bindingFor,
    binding,
    load,
    loadGroups,
    create,
    update,
    remove,
    unbind,
    showBinding,
    hideBinding,
    createGroup,
    renameGroup,
    removeGroup,
    bound,
    statusChanged,
  };
});
