import { ApiClient, API_ROOT } from "./ApiClient";
import type { LeaveMessagePage, LeaveMessageView } from "./types";

export type LeaveFilter = "unhandled" | "handled" | "all";

/** 留言 (server/src/http/console/leave-messages.ts). */
export class LeaveMessagesApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/leave-messages`);
  }

  list(query: { status?: LeaveFilter; openid?: string; page?: number; pageSize?: number }): Promise<LeaveMessagePage> {
    return this.get("/", { ...query });
  }

  async unreadCount(): Promise<number> {
    return (await this.get<{ unreadCount: number }>("/unread-count")).unreadCount;
  }

  /** Marks these read (all unread when no ids). */
  markRead(ids?: string[]): Promise<{ unreadCount: number }> {
    return this.post("/read", ids ? { ids } : {});
  }

  async reply(id: string, content: string): Promise<LeaveMessageView> {
    return (await this.post<{ leaveMessage: LeaveMessageView }>(`/${id}/reply`, { content })).leaveMessage;
  }

  async markHandled(id: string): Promise<LeaveMessageView> {
    return (await this.post<{ leaveMessage: LeaveMessageView }>(`/${id}/handle`)).leaveMessage;
  }
}

export const leaveMessagesApi = new LeaveMessagesApi();
