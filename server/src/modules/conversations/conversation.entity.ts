import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * waiting: in the queue (FIFO by queuedAt), no agent.
 * active: an agent accepted it and may reply (within the 48-hour window).
 * expired: released after 30 minutes without a message either way, or because its agent went offline;
 *          it keeps its agent for re-accepting, but nobody can reply until it is accepted again.
 * closed: finished with an outcome.
 */
export type ConversationStatus = "waiting" | "active" | "expired" | "closed";
export type ConversationOutcome = "resolved" | "unresolved" | "refused" | "timeout";

@Entity("conversation")
@Index("ix_conversation_status_queued", ["status", "queuedAt"])
@Index("ix_conversation_agent_status", ["agentId", "status"])
@Index("ix_conversation_fan_created", ["fanOpenid", "createdAt"])
export class Conversation {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  /** Equals fanOpenid while the conversation is not closed, null after: the unique index allows one open conversation per fan. */
  @Index("ux_conversation_open_fan", { unique: true })
  @Column({ name: "open_fan_openid", type: "varchar", length: 64, nullable: true })
  openFanOpenid: string | null;

  @Column({ type: "varchar", length: 10 })
  status: ConversationStatus;

  @Column({ name: "agent_id", type: "varchar", length: 36, nullable: true })
  agentId: string | null;

  /** The agent who served it before it went back to the queue (its accept is a re-accept; auto-assignment prefers them). */
  @Column({ name: "previous_agent_id", type: "varchar", length: 36, nullable: true })
  previousAgentId: string | null;

  /** Optimistic version: accept/transfer/close are conditional updates on it (one winner). */
  @Column({ type: "int", default: 1 })
  version: number;

  @Column({ name: "queued_at", type: "datetime", precision: 3 })
  queuedAt: Date;

  @Column({ name: "accepted_at", type: "datetime", precision: 3, nullable: true })
  acceptedAt: Date | null;

  /** Last message either way (the 30-minute re-accept clock). */
  @Column({ name: "last_message_at", type: "datetime", precision: 3 })
  lastMessageAt: Date;

  @Column({ name: "last_fan_message_at", type: "datetime", precision: 3, nullable: true })
  lastFanMessageAt: Date | null;

  @Column({ name: "last_agent_message_at", type: "datetime", precision: 3, nullable: true })
  lastAgentMessageAt: Date | null;

  /** Since when the fan waits for an answer from the current agent (null once answered): the alert counts from it. */
  @Column({ name: "awaiting_agent_since", type: "datetime", precision: 3, nullable: true })
  awaitingAgentSince: Date | null;

  /** Up to when the current agent has read the fan's messages (unread badge). */
  @Column({ name: "agent_read_at", type: "datetime", precision: 3, nullable: true })
  agentReadAt: Date | null;

  /** When the "agent has not answered for 5 min" alert went out for the current unanswered fan message. */
  @Column({ name: "agent_alerted_at", type: "datetime", precision: 3, nullable: true })
  agentAlertedAt: Date | null;

  /** When the "are you still there?" reminder went to the silent fan. */
  @Column({ name: "fan_reminded_at", type: "datetime", precision: 3, nullable: true })
  fanRemindedAt: Date | null;

  @Column({ name: "closed_at", type: "datetime", precision: 3, nullable: true })
  closedAt: Date | null;

  /** Agent id, or "system" for automatic closes. */
  @Column({ name: "closed_by", type: "varchar", length: 36, nullable: true })
  closedBy: string | null;

  @Column({ type: "varchar", length: 12, nullable: true })
  outcome: ConversationOutcome | null;

  /** Required for refused (kept for audit); optional note otherwise. */
  @Column({ name: "outcome_reason", type: "varchar", length: 500, nullable: true })
  outcomeReason: string | null;

  @Column({ name: "rating_requested_at", type: "datetime", precision: 3, nullable: true })
  ratingRequestedAt: Date | null;

  /** The unguessable token of the public rating link (PUBLIC_URL/rate/<token>). */
  @Index("ux_conversation_rating_token", { unique: true })
  @Column({ name: "rating_token", type: "varchar", length: 64, nullable: true })
  ratingToken: string | null;

  /** 1–5, from the fan's reply or the rating link. */
  @Column({ type: "int", nullable: true })
  rating: number | null;

  @Column({ name: "rated_at", type: "datetime", precision: 3, nullable: true })
  ratedAt: Date | null;

  /** The complaint ticket an unresolved close created (complaints module). */
  @Column({ name: "complaint_id", type: "varchar", length: 36, nullable: true })
  complaintId: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
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

/** The conversation's own history: who accepted, transferred, closed, and when. */
@Entity("conversation_event")
@Index("ix_conversation_event_conversation", ["conversationId", "at"])
export class ConversationEvent {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "conversation_id", type: "varchar", length: 36 })
  conversationId: string;

  @Column({ type: "varchar", length: 20 })
  type: ConversationEventType;

  /** Who did it (null = the system or the fan). */
  @Column({ name: "agent_id", type: "varchar", length: 36, nullable: true })
  agentId: string | null;

  /** The other agent of a transfer or dispatch. */
  @Column({ name: "target_agent_id", type: "varchar", length: 36, nullable: true })
  targetAgentId: string | null;

  @Column({ type: "simple-json", nullable: true })
  detail: object | null;

  @Column({ type: "datetime", precision: 3 })
  at: Date;
}

export type MessageDirection = "in" | "out" | "system";

/** A message shown in a conversation: the fan's (in), an agent's or an automatic one (out), or a system note. */
@Entity("conversation_message")
@Index("ix_conversation_message_conversation", ["conversationId", "createdAt"])
@Index("ix_conversation_message_fan", ["fanOpenid", "createdAt"])
export class ConversationMessage {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "conversation_id", type: "varchar", length: 36 })
  conversationId: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ type: "varchar", length: 8 })
  direction: MessageDirection;

  /** The sending agent (out), null for the fan or automatic messages. */
  @Column({ name: "agent_id", type: "varchar", length: 36, nullable: true })
  agentId: string | null;

  /** text, image, voice, video, shortvideo, location, link, news, template, note. */
  @Column({ type: "varchar", length: 16 })
  kind: string;

  /** Text, voice recognition, location label, link title. */
  @Column({ type: "text", nullable: true })
  content: string | null;

  /** Kind-specific fields: mediaId, picUrl, latitude/longitude, url, … */
  @Column({ type: "simple-json", nullable: true })
  media: object | null;

  @Column({ name: "inbound_message_id", type: "varchar", length: 36, nullable: true })
  inboundMessageId: string | null;

  /** The outbox row carrying an outgoing message; its status is the delivery state. */
  @Column({ name: "outbox_id", type: "varchar", length: 36, nullable: true })
  outboxId: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

/** A fan's message outside service hours (留言): agents see it with an unread badge, reply and mark it handled. */
@Entity("leave_message")
@Index("ix_leave_message_handled", ["handledAt", "createdAt"])
export class LeaveMessage {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "fan_openid", type: "varchar", length: 64 })
  fanOpenid: string;

  @Column({ name: "inbound_message_id", type: "varchar", length: 36 })
  inboundMessageId: string;

  @Column({ type: "varchar", length: 16 })
  kind: string;

  @Column({ type: "text", nullable: true })
  content: string | null;

  @Column({ type: "simple-json", nullable: true })
  media: object | null;

  @Column({ name: "read_at", type: "datetime", precision: 3, nullable: true })
  readAt: Date | null;

  @Column({ name: "handled_at", type: "datetime", precision: 3, nullable: true })
  handledAt: Date | null;

  @Column({ name: "handled_by", type: "varchar", length: 36, nullable: true })
  handledBy: string | null;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

export type KeywordMatch = "exact" | "contains";

/** Admin-defined keyword → reply rules, answered before the queue. */
@Entity("keyword_rule")
export class KeywordRule {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 50 })
  keyword: string;

  @Column({ name: "match_type", type: "varchar", length: 10 })
  matchType: KeywordMatch;

  @Column({ type: "text" })
  reply: string;

  @Column({ type: "boolean", default: true })
  enabled: boolean;

  @Column({ type: "int", default: 0 })
  position: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
