import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import type { CallbackHandler } from "../../wechat/callback/router";
import type { Logger } from "../../infra/logger";
import type { InboxWriter } from "./inboxWriter";

/**
 * Lets a module answer a new inbound message with a passive reply. Hooks run in registration order
 * after the message is stored; the first non-null answer is the reply. A hook must be quick: WeChat
 * gives up after 5 seconds.
 */
export type ReplyHook = (message: InboundMessage) => PassiveReply | null | Promise<PassiveReply | null>;

/** The inbound pipeline behind `/wechat`: store once (dedupe), then let modules answer. */
export class Inbox implements CallbackHandler {
  private readonly replyHooks: ReplyHook[] = [];

  constructor(
    private readonly writer: InboxWriter,
    private readonly logger: Logger,
  ) {}

  addReplyHook(hook: ReplyHook): void {
    this.replyHooks.push(hook);
  }

  async handle(message: InboundMessage): Promise<PassiveReply | null> {
    const stored = await this.writer.write(message);
    // A retry of a stored message was answered the first time; answering again could act twice.
    if (!stored.isNew) return null;
    for (const hook of this.replyHooks) {
      try {
        const reply = await hook(message);
        if (reply) return reply;
      } catch (error) {
        // The message is stored; a failing hook must not make WeChat retry it.
        this.logger.error({ err: error, dedupeKey: message.dedupeKey }, "reply hook failed");
      }
    }
    return null;
  }
}
