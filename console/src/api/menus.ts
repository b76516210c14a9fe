import { ApiClient, API_ROOT } from "./ApiClient";

/** Menu buttons in WeChat's own JSON shape (server/src/wechat/api/menu.ts), as the editor edits them. */
export type MenuLeafType = "click" | "view" | "miniprogram";

export interface MenuLeaf {
  type: MenuLeafType;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
}

export interface MenuParent {
  name: string;
  sub_button: MenuLeaf[];
}

export type MenuButton = MenuLeaf | MenuParent;

export interface Menu {
  button: MenuButton[];
}

export interface MenuIssue {
  at: number[];
  field: string;
  message: string;
}

export interface MenuState {
  draft: { menu: Menu; updatedAt: string; updatedBy: string | null };
  publication: {
    id: string;
    menu: Menu;
    publishedAt: string;
    publishedBy: string | null;
    status: "publishing" | "published" | "failed";
    error: string | null;
  } | null;
  /** CLICK keys the server answers, with what each does. */
  keys: { key: string; label: string }[];
  limits: { topButtons: number; subButtons: number; topNameBytes: number; subNameBytes: number; keyBytes: number; urlBytes: number };
}

/** Admin: the custom menu editor and the welcome text (server/src/http/console/menus.ts). */
export class MenusApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/menus`);
  }

  state(): Promise<MenuState> {
    return this.get<MenuState>("/");
  }

  saveDraft(menu: Menu): Promise<MenuState> {
    return this.put<MenuState>("/draft", { menu });
  }

  publish(menu: Menu): Promise<MenuState> {
    return this.post<MenuState>("/publish", { menu });
  }

  /** What WeChat holds now; null when no menu was ever created through the API. */
  current(): Promise<{ menu: Menu | null; fetchedAt: string }> {
    return this.get("/current");
  }

  welcome(): Promise<{ text: string }> {
    return this.get("/welcome");
  }

  saveWelcome(text: string): Promise<{ text: string }> {
    return this.put("/welcome", { text });
  }
}

export const menusApi = new MenusApi();
