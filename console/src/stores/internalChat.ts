import { defineStore } from "pinia";
import { computed, reactive, ref } from "vue";
import { internalChatApi } from "../api/internalChat";
import type { AgentStatusEvent, ColleagueView, InternalMessageView } from "../api/types";
import { notifyNewMessage } from "../shared/notifier";
import { useSessionStore } from "./session";

interface Thread {
  messages: InternalMessageView[];
  hasMore: boolean;
}

/** 内部沟通: colleagues (with presence and unread counts) and the one-to-one threads opened. */
export const useInternalChatStore = defineStore("internalChat", () => {
  const colleagues = ref<ColleagueView[]>([]);
  const threads = reactive(new Map<string, Thread>());
  const openWith = ref<string | null>(null);
  /** The page is showing the thread with `openWith` (messages to it are read at once). */
  const pageVisible = ref(false);

  const unreadTotal = computed(() => colleagues.value.reduce((sum, c) => sum + c.unread, 0));
  const myId = () => useSessionStore().me?.id ?? null;

  async function refresh(): Promise<void> {
    colleagues.value = await internalChatApi.colleagues();
    if (openWith.value) await loadThread(openWith.value);
  }

  async function loadThread(withId: string): Promise<void> {
    const page = await internalChatApi.messages(withId, { limit: 50 });
    threads.set(withId, { messages: page.messages, hasMore: page.hasMore });
  }

  async function loadOlder(withId: string): Promise<void> {
    const thread = threads.get(withId);
    const oldest = thread?.messages[0];
    if (!thread || !oldest) return;
    const page = await internalChatApi.messages(withId, { before: oldest.id, limit: 50 });
    thread.messages.unshift(...page.messages);
    thread.hasMore = page.hasMore;
  }

  async function open(withId: string | null): Promise<void> {
    openWith.value = withId;
    if (!withId) return;
    await loadThread(withId);
    await markRead(withId);
  }

  async function markRead(withId: string): Promise<void> {
    const colleague = colleagues.value.find((c) => c.id === withId);
    if (colleague?.unread) {
      colleague.unread = 0;
      await internalChatApi.markRead(withId).catch(() => undefined);
    }
  }

  async function send(toId: string, content: string): Promise<void> {
    arrived({ message: await internalChatApi.send(toId, content) });
  }

  // ---- realtime ----

  function arrived(event: { message: InternalMessageView }): void {
    const { message } = event;
    const me = myId();
    const otherId = message.fromAgentId === me ? message.toAgentId : message.fromAgentId;
    const thread = threads.get(otherId);
    if (thread && !thread.messages.some((m) => m.id === message.id)) thread.messages.push(message);
    if (message.fromAgentId === me) return;
    const colleague = colleagues.value.find((c) => c.id === otherId);
    const reading = pageVisible.value && openWith.value === otherId && document.visibilityState === "visible";
    if (reading) {
      void internalChatApi.markRead(otherId).catch(() => undefined);
    } else if (colleague) {
      colleague.unread += 1;
    }
    if (!reading) notifyNewMessage(`${colleague?.name ?? "同事"}（内部沟通）`, message.content, `internal-${otherId}`);
  }

  function statusChanged(event: AgentStatusEvent): void {
    const colleague = colleagues.value.find((c) => c.id === event.agentId);
    if (colleague) {
      colleague.status = event.status;
    } else if (event.agentId !== myId()) {
      void refresh().catch(() => undefined);
    }
  }

  return { colleagues, threads, openWith, pageVisible, unreadTotal, refresh, loadThread, loadOlder, open, markRead, send, arrived, statusChanged };
});
