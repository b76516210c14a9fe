/**
 * The JSON shapes the console API presents, mirrored from the server's presenters
 * (server/src/modules/agents/presenters.ts, server/src/modules/conversations/views.ts, …).
 * Dates are ISO strings. One shape per thing: REST responses and realtime payloads share them.
 */
export type AgentRole = "agent" | "supervisor" | "admin";
export type AgentStatus = "online" | "away" | "offline";
export type SendKey = "enter" | "ctrl_enter";

export interface AgentSettings {
  autoAccept: boolean;
  greeting: string;
  awayReply: string;
  soundOnNewConversation: boolean;
  soundOnNewMessage: boolean;
  desktopOnNewConversation: boolean;
  desktopOnNewMessage: boolean;
  sendKey: SendKey;
}

/** The agent's settings page: the preferences plus their capacity. */
export type MySettings = AgentSettings & { capacity: number };

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
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AdminAgentView extends AgentView {
  wechatOpenid: string | null;
}

export interface MeView {
  agent: AgentView;
  settings: MySettings;
}

export interface GroupView {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

export interface AgentStatusEvent {
  agentId: string;
  name: string;
  status: AgentStatus;
  statusChangedAt: string | null;
}

// ---- conversations ----

export type ConversationStatus = "waiting" | "active" | "expired" | "closed";
export type ConversationOutcome = "resolved" | "unresolved" | "refused" | "timeout";

export interface FanBrief {
  openid: string;
  nickname: string | null;
  remark: string | null;
  tags: string[];
  blacklisted: boolean;
  subscribed: boolean;
}

export interface ConversationView {
  id: string;
  status: ConversationStatus;
  fan: FanBrief;
  agentId: string | null;
  agentName: string | null;
  previousAgentId: string | null;
  previousAgentName: string | null;
  queuedAt: string | null;
  acceptedAt: string | null;
  lastMessageAt: string | null;
  lastFanMessageAt: string | null;
  lastAgentMessageAt: string | null;
  /** The 48-hour window: milliseconds left at `asOf`. */
  windowRemainingMs: number;
  windowClosesAt: string | null;
  /** When an active conversation is released (30 minutes without a message) unless someone writes. */
  releaseAt: string | null;
  awaitingAgentSince: string | null;
  /** The unanswered-fan alert went out: any group member may take it over. */
  alerted: boolean;
  unreadCount: number;
  lastMessage: { direction: MessageDirection; kind: string; preview: string; at: string } | null;
  /** The fan's own latest message (never an automatic reply), its preview cut to a line: what the lists show. */
  lastFanMessage: { kind: string; preview: string; at: string } | null;
  closedAt: string | null;
  closedBy: string | null;
  closedByName: string | null;
  outcome: ConversationOutcome | null;
  outcomeReason: string | null;
  ratingRequestedAt: string | null;
  rating: number | null;
  ratedAt: string | null;
  complaintId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** The server time the view was computed at. */
  asOf: string;
}

export type MessageDirection = "in" | "out" | "system";
export type DeliveryStatus = "pending" | "sending" | "sent" | "failed" | "refused" | "passive";
export type AutomaticKind = "greeting" | "queued" | "keyword" | "away" | "transfer" | "reminder" | "auto_close" | "rating" | "rating_thanks";

export interface DeliveryView {
  status: DeliveryStatus;
  errcode: number | null;
  error: string | null;
  sentAt: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  direction: MessageDirection;
  agentId: string | null;
  agentName: string | null;
  /** text, image, voice, video, shortvideo, location, link, news, template, note. */
  kind: string;
  content: string | null;
  media: Record<string, unknown> | null;
  auto: AutomaticKind | null;
  preview: string;
  createdAt: string;
  delivery: DeliveryView | null;
}

export type ConversationEventType =
  | "queued"
  | "accepted"
  | "reaccepted"
  | "transferred"
  | "dispatched"
  | "released"
  | "alerted"
  | "reminded"
  | "rating_requested"
  | "rated"
  | "closed";

export interface EventView {
  id: string;
  type: ConversationEventType;
  agentId: string | null;
  agentName: string | null;
  targetAgentId: string | null;
  targetAgentName: string | null;
  detail: Record<string, unknown> | null;
  at: string;
}

export interface ConversationDetail {
  conversation: ConversationView;
  /** The actor can only watch (not their conversation, or not active). */
  readOnly: boolean;
  messages: MessageView[];
  events: EventView[];
}

/** An online or away agent with their load (transfer targets, the supervisor's monitor). */
export interface AgentLoad {
  id: string;
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId: string | null;
  status: AgentStatus;
  capacity: number;
  activeCount: number;
  autoAccept: boolean;
}

export interface LiveOverview {
  conversations: ConversationView[];
  waitingCount: number;
  agents: AgentLoad[];
}

// ---- history ----

export interface PersonRef {
  id: string;
  name: string | null;
}

export interface HistoryTransfer {
  at: string;
  from: PersonRef | null;
  to: PersonRef | null;
  by: PersonRef | null;
  forced: boolean;
  takeover: boolean;
  note: string | null;
}

export interface HistoryItem {
  id: string;
  status: ConversationStatus;
  fan: FanBrief;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  acceptedBy: PersonRef | null;
  acceptedAt: string | null;
  agent: PersonRef | null;
  closedBy: PersonRef | null;
  transfers: HistoryTransfer[];
  outcome: ConversationOutcome | null;
  outcomeReason: string | null;
  rating: number | null;
  complaintId: string | null;
  messageCount: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

// ---- customers ----

export interface FanView {
  openid: string;
  nickname: string | null;
  subscribed: boolean;
  subscribedAt: string | null;
  unsubscribedAt: string | null;
  lastMessageAt: string | null;
  lastInteractionAt: string | null;
  windowRemainingMs: number;
  remark: string | null;
  tags: string[];
  notes: string | null;
  blacklisted: boolean;
  blacklistReason: string | null;
  blacklistedAt: string | null;
  blacklistedBy: string | null;
  blacklistedByName: string | null;
  createdAt: string;
}

export interface ComplaintView {
  id: string;
  fanOpenid: string;
  source: string;
  conversationId: string | null;
  title: string;
  content: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export type FanTrailKind = "follow" | "unfollow" | "menu_click" | "menu_view" | "qr_scan" | "h5_open" | "bill_query" | "payment" | "rating";

export interface TrailView {
  id: string;
  kind: FanTrailKind;
  detail: Record<string, unknown> | null;
  at: string;
}

export interface CustomerProfile {
  fan: FanView;
  /** Bound water accounts, once the water module provides them. */
  waterAccounts: unknown[];
  conversations: HistoryItem[];
  conversationCount: number;
  complaints: ComplaintView[];
  trail: TrailView[];
}

// ---- leave-messages ----

export interface LeaveReplyView {
  outboxId: string;
  agentId: string | null;
  agentName: string | null;
  content: string;
  status: DeliveryStatus;
  errcode: number | null;
  error: string | null;
  createdAt: string;
}

export interface LeaveMessageView {
  id: string;
  fan: FanBrief;
  kind: string;
  content: string | null;
  media: Record<string, unknown> | null;
  preview: string;
  createdAt: string;
  read: boolean;
  readAt: string | null;
  handled: boolean;
  handledAt: string | null;
  handledBy: string | null;
  handledByName: string | null;
  windowRemainingMs: number;
  canReply: boolean;
  replies: LeaveReplyView[];
}

export type LeaveMessagePage = Page<LeaveMessageView> & { unreadCount: number };

// ---- internal chat ----

export interface ColleagueView {
  id: string;
  name: string;
  jobNumber: string;
  role: AgentRole;
  groupId: string | null;
  groupName: string | null;
  status: AgentStatus;
  /** Has the console open. */
  connected: boolean;
  /** Messages from this colleague I have not read. */
  unread: number;
}

export interface InternalMessageView {
  id: string;
  fromAgentId: string;
  toAgentId: string;
  content: string;
  createdAt: string;
  readAt: string | null;
}

// ---- realtime payloads (server/src/realtime/publisher.ts names them) ----

export interface ConversationMessageEvent {
  conversationId: string;
  message: MessageView;
}

export interface AlertEvent {
  kind: "unanswered" | string;
  conversationId: string;
  agentId: string | null;
  agentName: string | null;
  groupId: string | null;
  unansweredSince: string | null;
  message: string;
  conversation: ConversationView | null;
}

export interface DeliveryFailedEvent {
  outboxId: string;
  status: DeliveryStatus;
  errcode: number | null;
  reason: string | null;
  conversationId?: string;
  messageId?: string;
  leaveMessageId?: string;
}

export interface SessionEndedEvent {
  reason: "logout" | "deleted";
  message: string;
}
