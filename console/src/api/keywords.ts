import { ApiClient, API_ROOT } from "./ApiClient";

export type KeywordMatch = "exact" | "contains";
export type MoveTo = "top" | "up" | "down" | "bottom";

export interface KeywordRuleView {
  id: string;
  keyword: string;
  matchType: KeywordMatch;
  reply: string;
  enabled: boolean;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface KeywordRuleInput {
  keyword: string;
  matchType: KeywordMatch;
  reply: string;
  enabled: boolean;
}

/** Admin: keyword → reply rules (server/src/http/console/keywords.ts). */
export class KeywordsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/keywords`);
  }

  async list(): Promise<KeywordRuleView[]> {
    return (await this.get<{ rules: KeywordRuleView[] }>("/")).rules;
  }

  async create(input: KeywordRuleInput): Promise<KeywordRuleView> {
    return (await this.post<{ rule: KeywordRuleView }>("/", input)).rule;
  }

  async update(id: string, changes: Partial<KeywordRuleInput>): Promise<KeywordRuleView> {
    return (await this.patch<{ rule: KeywordRuleView }>(`/${id}`, changes)).rule;
  }

  remove(id: string): Promise<void> {
    return this.delete(`/${id}`);
  }

  /** Returns every rule in its new order. */
  async move(id: string, to: MoveTo): Promise<KeywordRuleView[]> {
    return (await this.post<{ rules: KeywordRuleView[] }>(`/${id}/move`, { to })).rules;
  }
}

export const keywordsApi = new KeywordsApi();
