import { defineStore } from "pinia";
import { ref } from "vue";
import { conversationsApi } from "../api/conversations";
import type { AgentLoad, AgentStatusEvent, AlertEvent, ConversationView } from "../api/types";
import { router } from "../router";
import { fanName } from "../shared/fans";
import { notifyWarning } from "../shared/notifier";
import { useSessionStore } from "./session";
import { localize, type LiveConversation } from "./conversations";

export interface AlertEntry extends AlertEvent {
  receivedAt: number;
}

/**
 * Supervisors' view of every live conversation and each agent's load, plus the alerts every agent
 * receives (their own, their group's; supervisors all).
 */
export const useMonitorStore = defineStore("monitor", () => {
  const live = ref<LiveConversation[]>([]);
  const waitingCount = ref(0);
  const agents = ref<AgentLoad[]>([]);
  const alerts = ref<AlertEntry[]>([]);
  const loaded = ref(false);

  const isSupervisor = () => useSessionStore().isSupervisor;

  async function refresh(): Promise<void> {
    if (!isSupervisor()) return;
    const overview = await conversationsApi.live();
    const now = Date.now();
    live.value = overview.conversations.map((view) => localize(view, now));
    waitingCount.value = overview.waitingCount;
    agents.value = overview.agents;
    loaded.value = true;
  }

  /** Every conversation:updated / assigned reaching a supervisor. */
  function conversationChanged(view: ConversationView): void {
    if (!isSupervisor() || !loaded.value) return;
    const index = live.value.findIndex((c) => c.id === view.id);
    const isLive = view.status === "active" || view.status === "expired";
    if (index >= 0 && isLive) live.value.splice(index, 1, localize(view));
    else if (index >= 0) live.value.splice(index, 1);
    else if (isLive) live.value.push(localize(view));
  }

  function queueChanged(delta: number): void {
    if (isSupervisor()) waitingCount.value = Math.max(0, waitingCount.value + delta);
  }

  function statusChanged(event: AgentStatusEvent): void {
    if (!isSupervisor() || !loaded.value) return;
    const agent = agents.value.find((a) => a.id === event.agentId);
    if (agent && event.status === "offline") agents.value = agents.value.filter((a) => a.id !== event.agentId);
    else if (agent) agent.status = event.status;
    else if (event.status !== "offline") void refresh().catch(() => undefined);
  }

  function alert(event: AlertEvent): void {
    alerts.value = [{ ...event, receivedAt: Date.now() }, ...alerts.value.filter((a) => a.conversationId !== event.conversationId)].slice(0, 50);
    if (event.conversation) conversationChanged(event.conversation);
    const mine = event.agentId === useSessionStore().me?.id;
    const who = event.conversation ? fanName(event.conversation.fan) : "粉丝";
    notifyWarning(
      mine ? "请尽快回复" : `${event.agentName ?? "同事"}的会话超时未回复`,
      `${who}：${event.message}`,
      () => void router.push(mine || !isSupervisor() ? { name: "workspace", params: mine ? { conversationId: event.conversationId } : {} } : { name: "monitor" }),
    );
  }

  function dismissAlert(conversationId: string): void {
    alerts.value = alerts.value.filter((a) => a.conversationId !== conversationId);
  }

  return { live, waitingCount, agents, alerts, loaded, refresh, conversationChanged, queueChanged, statusChanged, alert, dismissAlert };
});
