import { ApiClient, API_ROOT } from "./ApiClient";
import type { ConversationDetail, HistoryItem, Page } from "./types";

export interface HistoryQuery {
  from?: string;
  to?: string;
  /** An openid, or part of a nickname or remark. */
  fan?: string;
  agentId?: string;
  keyword?: string;
  status?: "closed" | "all";
  page?: number;
  pageSize?: number;
}

/** History search and transcripts (server/src/http/console/history.ts). */
export class HistoryApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/history`);
  }

  search(query: HistoryQuery): Promise<Page<HistoryItem>> {
    return this.get("/", { ...query });
  }

  detail(id: string): Promise<ConversationDetail> {
    return this.get(`/${id}`);
  }
}

export const historyApi = new HistoryApi();
