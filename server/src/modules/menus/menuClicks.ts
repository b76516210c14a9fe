import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import type { InboundContext, InboundRouter } from "../inbox/inbox";

/**
 * What a CLICK menu item does, by its key. Modules register their keys (any install order: the registry
 * is created by whoever asks first); the editor lists them so admins pick a key rather than type one.
 * A key whose `answer` is absent is answered by its module's own inbox router (e.g. 查水费 in water).
 */

export const MENU_CLICKS_SERVICE = "menus.clicks";

export type ClickMessage = Extract<InboundMessage, { kind: "click" }>;

export interface MenuClickHandler {
  key: string;
  /** What the item does, for the editor (zh-CN). */
  label: string;
  answer?: (message: ClickMessage, context: InboundContext) => PassiveReply | null | Promise<PassiveReply | null>;
}

/** Answered to a key nobody registered (an old menu still on a phone, or a key typed by hand). */
export const UNKNOWN_CLICK_TEXT = "抱歉，该菜单功能暂未开放。如需帮助，请点击“联系客服”或回复“人工”。";

export class MenuClickRegistry {
  private readonly handlers = new Map<string, MenuClickHandler>();

  register(handler: MenuClickHandler): void {
    this.handlers.set(handler.key, handler);
  }

  get(key: string): MenuClickHandler | undefined {
    return this.handlers.get(key);
  }

  list(): { key: string; label: string }[] {
    return [...this.handlers.values()].map(({ key, label }) => ({ key, label }));
  }
}

export function menuClickRegistry(services: Map<string, unknown>): MenuClickRegistry {
  let registry = services.get(MENU_CLICKS_SERVICE) as MenuClickRegistry | undefined;
  if (!registry) {
    registry = new MenuClickRegistry();
    services.set(MENU_CLICKS_SERVICE, registry);
  }
  return registry;
}

/** The inbox router for menu taps: the key's answer, nothing for keys answered elsewhere, a polite note otherwise. */
export function menuClickRouter(registry: MenuClickRegistry): InboundRouter {
  return async (message, context) => {
    if (message.kind !== "click") return null;
    const handler = registry.get(message.eventKey);
    if (!handler) return { type: "text", content: UNKNOWN_CLICK_TEXT };
    return handler.answer ? handler.answer(message, context) : null;
  };
}
