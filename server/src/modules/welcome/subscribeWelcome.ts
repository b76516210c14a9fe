import type { ReplyHook } from "../inbox/inbox";
import type { Settings } from "../settings/settings";

/** Answers a new follower with the configured welcome text (an empty setting turns it off). */
export function subscribeWelcomeHook(settings: Settings): ReplyHook {
  return async (message) => {
    if (message.kind !== "subscribe") return null;
    const text = (await settings.get("welcome.text")).trim();
    return text ? { type: "text", content: text } : null;
  };
}
