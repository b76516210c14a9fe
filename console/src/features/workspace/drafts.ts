import { reactive } from "vue";

/** What the agent typed per conversation, kept while they switch between conversations and pages. */
const drafts = reactive(new Map<string, string>());

export function useDrafts() {
  return {
    get: (conversationId: string) => drafts.get(conversationId) ?? "",
    set: (conversationId: string, text: string) => (text ? drafts.set(conversationId, text) : drafts.delete(conversationId)),
    /** Adds text (a quick reply, an emoji) to the draft, on a new line when the draft has text already. */
    insert(conversationId: string, text: string, inline = false) {
      const current = drafts.get(conversationId) ?? "";
      drafts.set(conversationId, current && !inline ? `${current}\n${text}` : `${current}${text}`);
    },
    clear: (conversationId: string) => drafts.delete(conversationId),
  };
}
