import { defineStore } from "pinia";
import { ElMessage } from "element-plus";
import { computed, reactive, ref } from "vue";
import { conversationsApi, type CloseOutcome } from "../api/conversations";
import { mediaApi } from "../api/media";
import type { ConversationDetail, ConversationView, ConversationMessageEvent, DeliveryFailedEvent, EventView, MessageView } from "../api/types";
import { router } from "../router";
import { fanName } from "../shared/fans";
import { shortPreview } from "../shared/messages";
import { notifyError, notifyNewConversation, notifyNewMessage } from "../shared/notifier";
import { REPLY_WINDOW_MS, windowAfterFanMessage, windowClosesAt } from "../shared/replyWindow";
import { skewOf, toLocalMs } from "../shared/serverTime";
import { useSessionStore } from "./session";

/** A conversation as the workspace keeps it: the server's view plus its deadlines on the browser's clock. */
export interface LiveConversation extends ConversationView {
  /** When the 48-hour window closes, local ms (null = closed or unknown). */
  windowClosesAtMs: number | null;
  /** When an active conversation is released for idling, local ms. */
  releaseAtMs: number | null;
  /** The release period (30 min by default), to move `releaseAtMs` on when a message goes either way. */
  releaseSpanMs: number | null;
}

export interface Transcript {
  messages: MessageView[];
  events: EventView[];
  readOnly: boolean;
}

export function localize(view: ConversationView, receivedAt = Date.now()): LiveConversation {
  const skew = skewOf(view.asOf, receivedAt);
  const releaseAtMs = toLocalMs(view.releaseAt, skew);
  const idleFrom = Math.max(Date.parse(view.lastMessageAt ?? "") || 0, Date.parse(view.acceptedAt ?? "") || 0) + skew;
  return {
    ...view,
    windowClosesAtMs: windowClosesAt(view.windowRemainingMs, receivedAt),
    releaseAtMs,
    releaseSpanMs: releaseAtMs !== null && idleFrom > 0 ? releaseAtMs - idleFrom : null,
  };
}

const byQueuedAt = (a: ConversationView, b: ConversationView) => (a.queuedAt ?? "").localeCompare(b.queuedAt ?? "") || a.id.localeCompare(b.id);
const byLastMessage = (a: ConversationView, b: ConversationView) => (b.lastMessageAt ?? "").localeCompare(a.lastMessageAt ?? "");

/**
 * The workspace: the waiting queue, my conversations (active and expired) and the transcripts opened.
 * REST loads the state; realtime actions keep it current; `refresh` restores it after a reconnect.
 */
export const useConversationsStore = defineStore("conversations", () => {
  const waiting = ref<LiveConversation[]>([]);
  const mine = ref<LiveConversation[]>([]);
  const currentId = ref<string | null>(null);
  /** A conversation opened that is not in my list (a waiting one previewed, a colleague's watched). */
  const viewing = ref<LiveConversation | null>(null);
  const transcripts = reactive(new Map<string, Transcript>());
  /** Pictures I sent in this session, shown from the file at once (no round trip through WeChat). */
  const localImages = reactive(new Map<string, string>());
  const loaded = ref(false);
  /** Messages pushed while a conversation's transcript is being fetched, by conversation. */
  const arrivedWhileLoading = new Map<string, MessageView[]>();
  /** Delivery failures that arrived before the message itself (the socket beat the HTTP response). */
  const earlyDeliveries = new Map<string, NonNullable<MessageView["delivery"]>>();
  /** Conversations I am taking myself right now: their `conversation:assigned` is no news to me. */
  const takingMyself = new Set<string>();

  const session = () => useSessionStore();
  const myId = () => session().me?.id ?? null;

  const current = computed<LiveConversation | null>(() => {
    const id = currentId.value;
    if (!id) return null;
    return mine.value.find((c) => c.id === id) ?? waiting.value.find((c) => c.id === id) ?? (viewing.value?.id === id ? viewing.value : null);
  });
  const currentTranscript = computed(() => (currentId.value ? (transcripts.get(currentId.value) ?? null) : null));
  const unreadTotal = computed(() => mine.value.reduce((sum, c) => sum + c.unreadCount, 0));

  // ---- loading ----

  async function refresh(): Promise<void> {
    const [myList, queue] = await Promise.all([conversationsApi.mine(), conversationsApi.waiting()]);
    const now = Date.now();
    mine.value = myList.map((view) => localize(view, now)).sort(byLastMessage);
    waiting.value = queue.map((view) => localize(view, now)).sort(byQueuedAt);
    loaded.value = true;
    if (currentId.value) await loadTranscript(currentId.value).catch(() => undefined);
  }

  /**
   * Loads a conversation's transcript. Messages pushed while the request is under way may be missing
   * from the snapshot: they are collected meanwhile and merged in.
   */
  async function loadTranscript(id: string): Promise<ConversationDetail> {
    const arrived = arrivedWhileLoading.get(id) ?? [];
    arrivedWhileLoading.set(id, arrived);
    try {
      const detail = await conversationsApi.detail(id);
      const known = new Set(detail.messages.map((m) => m.id));
      const messages = [...detail.messages, ...arrived.filter((m) => !known.has(m.id))];
      transcripts.set(id, { messages, events: detail.events, readOnly: detail.readOnly });
      place(detail.conversation);
      return detail;
    } finally {
      arrivedWhileLoading.delete(id);
    }
  }

  /** Opens a conversation in the chat panel and clears its unread badge. */
  async function open(id: string | null): Promise<void> {
    currentId.value = id;
    if (!id) return;
    const detail = await loadTranscript(id);
    if (currentId.value !== id) return;
    if (!mine.value.some((c) => c.id === id) && !waiting.value.some((c) => c.id === id)) viewing.value = localize(detail.conversation);
    if (detail.conversation.agentId === myId() && detail.conversation.unreadCount > 0) void markRead(id);
  }

  async function markRead(id: string): Promise<void> {
    const conversation = mine.value.find((c) => c.id === id);
    if (conversation) conversation.unreadCount = 0;
    await conversationsApi.markRead(id).catch(() => undefined);
  }

  // ---- keeping lists in step with a view ----

  /** Puts a conversation where it belongs now: the queue, my list, or neither. */
  function place(view: ConversationView): LiveConversation {
    const live = localize(view);
    const me = myId();
    const inQueue = view.status === "waiting";
    const isMine = view.agentId === me && (view.status === "active" || view.status === "expired");
    upsert(waiting, live, inQueue, byQueuedAt);
    upsert(mine, live, isMine, byLastMessage);
    // The open one left my lists (closed, transferred away): keep showing it, read-only.
    if (viewing.value?.id === view.id || (view.id === currentId.value && !inQueue && !isMine)) viewing.value = live;
    return live;
  }

  function upsert(list: typeof mine, view: LiveConversation, keep: boolean, order: (a: ConversationView, b: ConversationView) => number): void {
    const index = list.value.findIndex((c) => c.id === view.id);
    if (!keep) {
      if (index >= 0) list.value.splice(index, 1);
      return;
    }
    if (index >= 0) list.value.splice(index, 1, view);
    else list.value.push(view);
    list.value.sort(order);
  }

  function find(id: string): LiveConversation | undefined {
    return mine.value.find((c) => c.id === id) ?? waiting.value.find((c) => c.id === id) ?? (viewing.value?.id === id ? viewing.value : undefined);
  }

  /**
   * Adds or updates a message. The socket may be faster than the HTTP response that created it: a
   * delivery outcome already known (sent, failed) is never replaced by the response's "pending".
   */
  function appendMessage(conversationId: string, incoming: MessageView): boolean {
    const early = earlyDeliveries.get(incoming.id);
    const message = early && isPending(incoming.delivery) ? { ...incoming, delivery: early } : incoming;
    arrivedWhileLoading.get(conversationId)?.push(message);
    const transcript = transcripts.get(conversationId);
    if (!transcript) return true;
    const index = transcript.messages.findIndex((m) => m.id === message.id);
    if (index >= 0) {
      const known = transcript.messages[index]!;
      transcript.messages.splice(index, 1, isPending(message.delivery) && !isPending(known.delivery) ? { ...message, delivery: known.delivery } : message);
      return false;
    }
    transcript.messages.push(message);
    return true;
  }

  const isPending = (delivery: MessageView["delivery"]) => delivery?.status === "pending" || delivery?.status === "sending";

  // ---- realtime actions (wired in realtime/events.ts) ----

  function queueAdded(view: ConversationView): void {
    const known = waiting.value.some((c) => c.id === view.id);
    place(view);
    if (!known && session().me?.status === "online") {
      notifyNewConversation("新的排队会话", `${fanName(view.fan)} 正在排队等待接入`, () => void router.push({ name: "workspace", params: { conversationId: view.id } }));
    }
  }

  function queueRemoved(view: ConversationView): void {
    place(view);
    // The one I was looking at in the queue went to a colleague: say so and leave it.
    if (currentId.value === view.id && view.agentId && view.agentId !== myId() && !session().isSupervisor) {
      ElMessage.info(`该会话已由${view.agentName ?? "其他客服"}接入`);
      void router.push({ name: "workspace" });
    }
  }

  function assigned(view: ConversationView): void {
    const known = takingMyself.has(view.id) || mine.value.some((c) => c.id === view.id && c.status === "active");
    place(view);
    if (!known) {
      notifyNewConversation("新会话已分配给您", `${fanName(view.fan)} 的会话已转给您接待`, () => void router.push({ name: "workspace", params: { conversationId: view.id } }));
    }
    if (currentId.value === view.id) void loadTranscript(view.id).catch(() => undefined);
  }

  function updated(view: ConversationView): void {
    place(view);
    const transcript = transcripts.get(view.id);
    if (transcript && currentId.value === view.id) transcript.readOnly = view.agentId !== myId() || view.status !== "active";
  }

  function released(view: ConversationView): void {
    place(view);
    const transcript = transcripts.get(view.id);
    if (transcript) transcript.readOnly = true;
  }

  function messageArrived(event: ConversationMessageEvent): void {
    const { conversationId, message } = event;
    const isNew = appendMessage(conversationId, message);
    const conversation = find(conversationId);
    if (!conversation || !isNew) return;
    const now = Date.now();
    conversation.lastMessage = { direction: message.direction, kind: message.kind, preview: message.preview, at: message.createdAt };
    if (!message.auto) {
      conversation.lastMessageAt = message.createdAt;
      if (conversation.releaseSpanMs !== null && conversation.status === "active") conversation.releaseAtMs = now + conversation.releaseSpanMs;
    }
    if (message.direction === "in") {
      conversation.lastFanMessage = { kind: message.kind, preview: shortPreview(message.preview), at: message.createdAt };
      conversation.lastFanMessageAt = message.createdAt;
      conversation.windowClosesAtMs = windowAfterFanMessage(now);
      conversation.windowRemainingMs = REPLY_WINDOW_MS;
      if (conversation.agentId === myId()) {
        const looking = currentId.value === conversationId && document.visibilityState === "visible";
        if (looking) void markRead(conversationId);
        else conversation.unreadCount += 1;
        if (!looking || !document.hasFocus()) notifyNewMessage(`${fanName(conversation.fan)} 发来新消息`, message.preview, `conversation-${conversationId}`);
      }
    }
    if (mine.value.includes(conversation)) mine.value.sort(byLastMessage);
  }

  function deliveryFailed(event: DeliveryFailedEvent): void {
    if (!event.conversationId || !event.messageId) return;
    const delivery = { status: event.status, errcode: event.errcode, error: event.reason, sentAt: null };
    const transcript = transcripts.get(event.conversationId);
    const message = transcript?.messages.find((m) => m.id === event.messageId);
    if (message) message.delivery = delivery;
    else {
      earlyDeliveries.set(event.messageId, delivery);
      setTimeout(() => earlyDeliveries.delete(event.messageId!), 60_000);
    }
    const conversation = find(event.conversationId);
    notifyError(
      "消息发送失败",
      `${conversation ? `发给${fanName(conversation.fan)}的消息` : "一条消息"}未能送达：${event.reason ?? "未知原因"}${event.errcode ? `（${event.errcode}）` : ""}`,
      () => void router.push({ name: "workspace", params: { conversationId: event.conversationId } }),
    );
  }

  // ---- commands ----

  /** Runs my own take (accept, re-accept, take over) without announcing it back to me. */
  async function takingOwn<T>(id: string, take: () => Promise<T>): Promise<T> {
    takingMyself.add(id);
    try {
      return await take();
    } finally {
      // The socket event may arrive just after the response.
      setTimeout(() => takingMyself.delete(id), 3000);
    }
  }

  async function accept(id: string): Promise<LiveConversation> {
    return takingOwn(id, async () => place(await conversationsApi.accept(id)));
  }

  async function sendText(id: string, content: string): Promise<MessageView> {
    const message = await conversationsApi.sendText(id, content);
    messageArrived({ conversationId: id, message });
    return message;
  }

  async function sendImage(id: string, file: File): Promise<MessageView> {
    const uploaded = await mediaApi.uploadImage(file);
    const message = await conversationsApi.sendImage(id, uploaded.mediaId);
    localImages.set(message.id, URL.createObjectURL(file));
    messageArrived({ conversationId: id, message });
    return message;
  }

  async function sendTemplate(id: string, content: string): Promise<MessageView> {
    const message = await conversationsApi.sendTemplate(id, content);
    messageArrived({ conversationId: id, message });
    return message;
  }

  async function transfer(id: string, toAgentId: string, note?: string): Promise<void> {
    place(await conversationsApi.transfer(id, toAgentId, note));
  }

  async function dispatch(id: string, toAgentId: string): Promise<void> {
    place(await conversationsApi.dispatch(id, toAgentId));
  }

  async function takeOver(id: string): Promise<void> {
    await takingOwn(id, async () => place(await conversationsApi.takeOver(id)));
    await loadTranscript(id);
  }

  async function close(id: string, outcome: CloseOutcome, reason?: string): Promise<void> {
    place(await conversationsApi.close(id, outcome, reason));
    if (currentId.value === id) await loadTranscript(id).catch(() => undefined);
  }

  async function requestRating(id: string): Promise<void> {
    place(await conversationsApi.requestRating(id));
    await loadTranscript(id).catch(() => undefined);
  }

  return {
    waiting,
    mine,
    currentId,
    current,
    currentTranscript,
    transcripts,
    localImages,
    unreadTotal,
    loaded,
    refresh,
    open,
    loadTranscript,
    markRead,
    place,
    queueAdded,
    queueRemoved,
    assigned,
    updated,
    released,
    messageArrived,
    deliveryFailed,
    accept,
    sendText,
    sendImage,
    sendTemplate,
    transfer,
    dispatch,
    takeOver,
    close,
    requestRating,
  };
});
