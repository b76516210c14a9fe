import { IsNull, LessThan, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import type { CallbackHandler } from "../../wechat/callback/router";
import { enqueueOutbound } from "../outbox/outbox";
import { InboundMessageRow } from "./inboundMessage.entity";
import type { InboxWriter } from "./inboxWriter";

export interface InboundContext {
  /** The stored inbound_message row id (handlers link their rows to it and use it to stay idempotent). */
  inboundId: string;
  /** "callback" while WeChat waits for the answer; "sweep" when re-routing a message a crash left unrouted. */
  via: "callback" | "sweep";
}

/**
 * Lets a module act on a new inbound message and, optionally, answer it with a passive reply. Hooks run
 * in registration order after the message is stored; the first non-null answer is the reply, and later
 * hooks still run. A hook must be quick (WeChat gives up after 5 seconds) and idempotent per inboundId:
 * after a crash the sweep runs it again for messages not marked routed.
 */
export type ReplyHook = (message: InboundMessage, context: InboundContext) => PassiveReply | null | Promise<PassiveReply | null>;

/** The inbound pipeline behind `/wechat`: store once (dedupe), let modules act and answer, mark routed. */
export class Inbox implements CallbackHandler {
  private readonly replyHooks: ReplyHook[] = [];
  private routedIds: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly writer: InboxWriter,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  addReplyHook(hook: ReplyHook): void {
    this.replyHooks.push(hook);
  }

  async handle(message: InboundMessage): Promise<PassiveReply | null> {
    const stored = await this.writer.write(message);
    // A retry of a stored message was handled the first time; handling it again could act twice.
    if (!stored.isNew) return null;
    return this.route(message, { inboundId: stored.id, via: "callback" });
  }

  private async route(message: InboundMessage, context: InboundContext): Promise<PassiveReply | null> {
    let reply: PassiveReply | null = null;
    let failed = false;
    for (const hook of this.replyHooks) {
      try {
        const answer = await hook(message, context);
        reply ??= answer;
      } catch (error) {
        // The message is stored; a failing hook must not make WeChat retry it. The sweep will try again.
        failed = true;
        this.logger.error({ err: error, dedupeKey: message.dedupeKey }, "inbound hook failed");
      }
    }
    if (!failed) this.markRouted(context.inboundId);
    return reply;
  }

  /** Routed marks are written in batches: one UPDATE per interval, not one per message. */
  private markRouted(id: string): void {
    this.routedIds.push(id);
    this.markTimer ??= setTimeout(() => void this.flushRouted(), 100);
  }

  async flushRouted(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    const ids = this.routedIds.splice(0);
    if (ids.length === 0) return;
    try {
      await this.dataSource.getRepository(InboundMessageRow).update(ids, { routedAt: this.clock.now() });
    } catch (error) {
      // Unmarked rows are only re-routed by the sweep, and hooks are idempotent: nothing is lost.
      this.logger.warn({ err: error, rows: ids.length }, "could not mark inbound messages routed");
    }
  }

  /**
   * Re-routes messages stored but never marked routed (the process died, or a hook failed). Their passive
   * reply can no longer be given, so a text answer is sent as a customer-service message instead.
   */
  async sweepUnrouted(olderThanMs = 30_000, limit = 100): Promise<number> {
    const rows = await this.dataSource.getRepository(InboundMessageRow).find({
      where: { routedAt: IsNull(), receivedAt: LessThan(new Date(this.clock.now().getTime() - olderThanMs)) },
      order: { receivedAt: "ASC" },
      take: limit,
    });
    for (const row of rows) {
      const message = { ...(row.payload as object), rawXml: row.rawXml } as InboundMessage;
      const reply = await this.route(message, { inboundId: row.id, via: "sweep" });
      if (reply?.type === "text") {
        await this.dataSource.transaction((manager) =>
          enqueueOutbound(manager, { kind: "custom", message: { type: "text", toUser: message.fromUserName, content: reply.content }, ref: `inbound:${row.id}` }, this.clock),
        );
      }
    }
    await this.flushRouted();
    return rows.length;
  }

  startSweeping(intervalMs = 15_000): void {
    const tick = () => {
      this.sweepUnrouted()
        .catch((error) => this.logger.error({ err: error }, "inbound sweep failed"))
        .finally(() => {
          if (this.sweepTimer) this.sweepTimer = setTimeout(tick, intervalMs);
        });
    };
    this.sweepTimer = setTimeout(tick, intervalMs);
  }

  /** Stops sweeping and waits for queued writes; call after the HTTP server stopped taking callbacks. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    await this.writer.close();
    await this.flushRouted();
  }
}
