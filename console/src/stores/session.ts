import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { meApi } from "../api/me";
import { ApiError } from "../api/ApiError";
import type { AgentRole, AgentStatus, AgentStatusEvent, AgentView, MeView, MySettings } from "../api/types";

const RANK: Record<AgentRole, number> = { agent: 1, supervisor: 2, admin: 3 };

/** The signed-in agent: who, role, status and personal settings. */
export const useSessionStore = defineStore("session", () => {
  const me = ref<AgentView | null>(null);
  const settings = ref<MySettings | null>(null);
  let probing: Promise<void> | null = null;
  let probed = false;

  const isSupervisor = computed(() => hasRole("supervisor"));
  const isAdmin = computed(() => hasRole("admin"));

  function hasRole(role: AgentRole): boolean {
    return !!me.value && RANK[me.value.role] >= RANK[role];
  }

  function apply(view: MeView): void {
    me.value = view.agent;
    settings.value = view.settings;
    probed = true;
  }

  /** Asks the server once whether a session exists (the router calls it before every navigation). */
  function probe(force = false): Promise<void> {
    if (probed && !force) return Promise.resolve();
    probing ??= meApi
      .probe()
      .then(apply, (error: unknown) => {
        if (error instanceof ApiError && error.isUnauthorized) {
          forget();
          probed = true;
          return;
        }
        throw error;
      })
      .finally(() => (probing = null));
    return probing;
  }

  function forget(): void {
    me.value = null;
    settings.value = null;
  }

  async function setStatus(status: AgentStatus): Promise<void> {
    apply(await meApi.setStatus(status));
  }

  async function saveSettings(changes: Partial<MySettings>): Promise<void> {
    apply(await meApi.updateSettings(changes));
  }

  /** `agent:status` for me (another tab changed it, or the server set me offline). */
  function statusChanged(event: AgentStatusEvent): void {
    if (me.value && event.agentId === me.value.id) {
      me.value = { ...me.value, status: event.status, statusChangedAt: event.statusChangedAt };
    }
  }

  return { me, settings, isSupervisor, isAdmin, hasRole, apply, probe, forget, setStatus, saveSettings, statusChanged };
});
