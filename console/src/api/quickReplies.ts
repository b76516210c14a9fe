import { ApiClient, API_ROOT } from "./ApiClient";
import type { MoveTo } from "./keywords";

export type QuickReplyScope = "personal" | "team";

export interface QuickReplyView {
  id: string;
  categoryId: string;
  scope: QuickReplyScope;
  title: string | null;
  content: string;
  position: number;
  editable: boolean;
  updatedAt: string;
}

export interface QuickReplyCategoryView {
  id: string;
  scope: QuickReplyScope;
  name: string;
  position: number;
  editable: boolean;
  replies: QuickReplyView[];
}

export interface QuickReplyLibrary {
  personal: QuickReplyCategoryView[];
  team: QuickReplyCategoryView[];
}

export interface QuickReplyInput {
  categoryId: string;
  title?: string | null;
  content: string;
}

/** Personal and team quick replies in ordered categories (server/src/http/console/quick-replies.ts). */
export class QuickRepliesApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/quick-replies`);
  }

  /** Mine, then the team's; `q` filters by title or content. */
  list(q?: string): Promise<QuickReplyLibrary> {
    return this.get("/", { q });
  }

  async createCategory(scope: QuickReplyScope, name: string): Promise<QuickReplyCategoryView> {
    return (await this.post<{ category: QuickReplyCategoryView }>("/categories", { scope, name })).category;
  }

  async renameCategory(id: string, name: string): Promise<QuickReplyCategoryView> {
    return (await this.patch<{ category: QuickReplyCategoryView }>(`/categories/${id}`, { name })).category;
  }

  /** Deletes the category with its replies. */
  deleteCategory(id: string): Promise<void> {
    return this.delete(`/categories/${id}`);
  }

  moveCategory(id: string, to: MoveTo): Promise<QuickReplyLibrary> {
    return this.post(`/categories/${id}/move`, { to });
  }

  async create(input: QuickReplyInput): Promise<QuickReplyView> {
    return (await this.post<{ reply: QuickReplyView }>("/", input)).reply;
  }

  async update(id: string, changes: Partial<QuickReplyInput>): Promise<QuickReplyView> {
    return (await this.patch<{ reply: QuickReplyView }>(`/${id}`, changes)).reply;
  }

  remove(id: string): Promise<void> {
    return this.delete(`/${id}`);
  }

  /** Returns the category's replies in their new order. */
  async move(id: string, to: MoveTo): Promise<QuickReplyView[]> {
    return (await this.post<{ replies: QuickReplyView[] }>(`/${id}/move`, { to })).replies;
  }
}

export const quickRepliesApi = new QuickRepliesApi();
