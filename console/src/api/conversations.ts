import { ApiClient, API_ROOT } from "./ApiClient";
import type { AgentLoad, ConversationDetail, ConversationView, LiveOverview, MessageView } from "./types";

export type CloseOutcome = "resolved" | "unresolved" | "refused";

/** The workspace's conversations and their commands (server/src/http/console/conversations.ts). */
export class ConversationsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/conversations`);
  }

  /** My active and expired conversations. */
  async mine(): Promise<ConversationView[]> {
    return (await this.get<{ conversations: ConversationView[] }>("/")).conversations;
  }

  /** The waiting queue, first come first served. */
  async waiting(): Promise<ConversationView[]> {
    return (await this.get<{ conversations: ConversationView[] }>("/waiting")).conversations;
  }

  /** Supervisors: every live conversation and the agents' loads. */
  live(): Promise<LiveOverview> {
    return this.get("/live");
  }

  /** Online colleagues a conversation can go to. */
  async transferTargets(): Promise<AgentLoad[]> {
    return (await this.get<{ agents: AgentLoad[] }>("/transfer-targets")).agents;
  }

  detail(id: string): Promise<ConversationDetail> {
    return this.get(`/${id}`);
  }

  /** Accepts a waiting conversation, or re-accepts my expired one. */
  async accept(id: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/accept`)).conversation;
  }

  markRead(id: string): Promise<void> {
    return this.post(`/${id}/read`);
  }

  async transfer(id: string, toAgentId: string, note?: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/transfer`, { toAgentId, ...(note ? { note } : {}) })).conversation;
  }

  /** Supervisors: give a waiting conversation to an online agent. */
  async dispatch(id: string, toAgentId: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/dispatch`, { toAgentId })).conversation;
  }

  /** After the unanswered-fan alert: a group member (or supervisor) takes the conversation. */
  async takeOver(id: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/take-over`)).conversation;
  }

  async close(id: string, outcome: CloseOutcome, reason?: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/close`, { outcome, ...(reason ? { reason } : {}) })).conversation;
  }

  async requestRating(id: string): Promise<ConversationView> {
    return (await this.post<{ conversation: ConversationView }>(`/${id}/rating-request`)).conversation;
  }

  async sendText(id: string, content: string): Promise<MessageView> {
    return (await this.post<{ message: MessageView }>(`/${id}/messages`, { kind: "text", content })).message;
  }

  async sendImage(id: string, mediaId: string): Promise<MessageView> {
    return (await this.post<{ message: MessageView }>(`/${id}/messages`, { kind: "image", mediaId })).message;
  }

  /** Once the 48-hour window has closed: the admin's fallback template message. */
  async sendTemplate(id: string, content: string): Promise<MessageView> {
    return (await this.post<{ message: MessageView }>(`/${id}/template`, { content })).message;
  }
}

export const conversationsApi = new ConversationsApi();
