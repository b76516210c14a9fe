import type {
  AgentStatusEvent,
  AgentView,
  AlertEvent,
  ConversationMessageEvent,
  ConversationView,
  DeliveryFailedEvent,
  InternalMessageView,
  LeaveMessageView,
  SessionEndedEvent,
} from "../api/types";
import { useAgentsAdminStore } from "../stores/agentsAdmin";
import { useConversationsStore } from "../stores/conversations";
import { useInternalChatStore } from "../stores/internalChat";
import { useLeaveMessagesStore } from "../stores/leaveMessages";
import { useMonitorStore } from "../stores/monitor";
import { useSessionStore } from "../stores/session";

/**
 * The payload of each server → console event (names from server/src/realtime/publisher.ts).
 * The login page's `login:done` / `login:refused` are handled by realtime/loginWatch.ts.
 */
export interface SignedInEvents {
  "queue:added": ConversationView;
  "queue:removed": ConversationView;
  "conversation:assigned": ConversationView;
  "conversation:updated": ConversationView;
  "conversation:message": ConversationMessageEvent;
  "conversation:released": ConversationView;
  "agent:status": AgentStatusEvent;
  alert: AlertEvent;
  "delivery:failed": DeliveryFailedEvent;
  "leave:new": LeaveMessageView | null;
  "internal:message": { message: InternalMessageView };
  "binding:done": { agent: AgentView };
  "session:ended": SessionEndedEvent;
}

export type EventTable = { [E in keyof SignedInEvents]: (payload: SignedInEvents[E]) => void };

/**
 * THE table: every realtime event, and the store action(s) it runs. Adding an event means adding a
 * line here (and its payload type above); nothing else subscribes to the socket.
 */
export function eventTable(onSessionEnded: (event: SessionEndedEvent) => void): EventTable {
  const conversations = useConversationsStore();
  const monitor = useMonitorStore();
  const leaveMessages = useLeaveMessagesStore();
  const internalChat = useInternalChatStore();
  const session = useSessionStore();
  const agentsAdmin = useAgentsAdminStore();

  return {
    "queue:added": (view) => {
      conversations.queueAdded(view);
      monitor.queueChanged(+1);
    },
    "queue:removed": (view) => {
      conversations.queueRemoved(view);
      monitor.queueChanged(-1);
    },
    "conversation:assigned": (view) => {
      conversations.assigned(view);
      monitor.conversationChanged(view);
    },
    "conversation:updated": (view) => {
      conversations.updated(view);
      monitor.conversationChanged(view);
    },
    "conversation:message": (event) => conversations.messageArrived(event),
    "conversation:released": (view) => {
      conversations.released(view);
      monitor.conversationChanged(view);
    },
    "agent:status": (event) => {
      session.statusChanged(event);
      internalChat.statusChanged(event);
      monitor.statusChanged(event);
      agentsAdmin.statusChanged(event);
    },
    alert: (event) => {
      monitor.alert(event);
      if (event.conversation) conversations.updated(event.conversation);
    },
    "delivery:failed": (event) => {
      conversations.deliveryFailed(event);
      leaveMessages.deliveryFailed(event);
    },
    "leave:new": (view) => leaveMessages.arrived(view),
    "internal:message": (event) => internalChat.arrived(event),
    "binding:done": (event) => agentsAdmin.bound(event),
    "session:ended": (event) => onSessionEnded(event),
  };
}

/** Everything the console shows, fetched again after a reconnect (events may have been missed). */
export async function refetchAll(): Promise<void> {
  const session = useSessionStore();
  await session.probe(true);
  if (!session.me) return;
  await Promise.all([
    useConversationsStore().refresh(),
    useLeaveMessagesStore().refreshCount(),
    useInternalChatStore().refresh(),
    session.isSupervisor ? useMonitorStore().refresh() : Promise.resolve(),
  ]);
}
