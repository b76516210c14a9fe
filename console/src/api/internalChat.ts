import { ApiClient, API_ROOT } from "./ApiClient";
import type { ColleagueView, InternalMessageView } from "./types";

/** 内部沟通 (server/src/http/console/internal.ts). */
export class InternalChatApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/internal`);
  }

  async colleagues(): Promise<ColleagueView[]> {
    return (await this.get<{ colleagues: ColleagueView[] }>("/colleagues")).colleagues;
  }

  /** Oldest first: the newest `limit`, or those before the message `before`. */
  messages(withId: string, options: { before?: string; limit?: number } = {}): Promise<{ messages: InternalMessageView[]; hasMore: boolean }> {
    return this.get("/messages", { with: withId, before: options.before, limit: options.limit });
  }

  async send(to: string, content: string): Promise<InternalMessageView> {
    return (await this.post<{ message: InternalMessageView }>("/messages", { to, content })).message;
  }

  markRead(withId: string): Promise<{ updated: number }> {
    return this.post("/messages/read", { with: withId });
  }
}

export const internalChatApi = new InternalChatApi();
