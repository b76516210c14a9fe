import { defineStore } from "pinia";
import { ref } from "vue";
import { leaveMessagesApi, type LeaveFilter } from "../api/leaveMessages";
import type { DeliveryFailedEvent, LeaveMessageView } from "../api/types";
import { fanName } from "../shared/fans";
import { notifyError, notifyNewMessage } from "../shared/notifier";

/** 留言: the unread badge in the nav, and the list page. */
export const useLeaveMessagesStore = defineStore("leaveMessages", () => {
  const unreadCount = ref(0);
  const items = ref<LeaveMessageView[]>([]);
  const total = ref(0);
  const filter = ref<LeaveFilter>("unhandled");
  const page = ref(1);
  const pageSize = ref(20);
  const loading = ref(false);

  async function refreshCount(): Promise<void> {
    unreadCount.value = await leaveMessagesApi.unreadCount();
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const result = await leaveMessagesApi.list({ status: filter.value, page: page.value, pageSize: pageSize.value });
      items.value = result.items;
      total.value = result.total;
      unreadCount.value = result.unreadCount;
    } finally {
      loading.value = false;
    }
  }

  function replace(view: LeaveMessageView): void {
    const index = items.value.findIndex((item) => item.id === view.id);
    if (index >= 0) items.value.splice(index, 1, view);
  }

  async function markRead(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    unreadCount.value = (await leaveMessagesApi.markRead(ids)).unreadCount;
    for (const item of items.value) if (ids.includes(item.id)) item.read = true;
  }

  async function reply(id: string, content: string): Promise<void> {
    replace(await leaveMessagesApi.reply(id, content));
    await refreshCount();
  }

  async function markHandled(id: string): Promise<void> {
    replace(await leaveMessagesApi.markHandled(id));
    await refreshCount();
  }

  // ---- realtime ----

  function arrived(view: LeaveMessageView | null): void {
    if (!view) return;
    unreadCount.value += 1;
    if (page.value === 1 && filter.value !== "handled" && !items.value.some((item) => item.id === view.id)) {
      items.value.unshift(view);
      total.value += 1;
    }
    notifyNewMessage(`新留言：${fanName(view.fan)}`, view.preview, "leave-message");
  }

  function deliveryFailed(event: DeliveryFailedEvent): void {
    if (!event.leaveMessageId) return;
    const item = items.value.find((i) => i.id === event.leaveMessageId);
    const reply = item?.replies.find((r) => r.outboxId === event.outboxId);
    if (reply) Object.assign(reply, { status: event.status, errcode: event.errcode, error: event.reason });
    notifyError("留言回复发送失败", `${event.reason ?? "未知原因"}${event.errcode ? `（${event.errcode}）` : ""}`);
  }

  return { unreadCount, items, total, filter, page, pageSize, loading, refreshCount, load, markRead, reply, markHandled, arrived, deliveryFailed };
});
