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

/**
 * Acts on a stored message after WeChat has been answered: the slow work (conversations, queues, pushes).
 * Routers run in registration order, one message of a fan at a time in arrival order; a returned text is
 * sent to the fan as a customer-service message. Must be idempotent per inboundId (the sweep may rerun it).
 */
export type InboundRouter = (message: InboundMessage, context: InboundContext) => PassiveReply | null | void | Promise<PassiveReply | null | void>;

/** Messages waiting for routers beyond this are left to the sweep instead of held in memory. */
const MAX_ROUTING_BACKLOG = 20_000;

export interface InboxOptions {
  /** Below this routing backlog a callback waits for its routers' answer (a passive reply) … */
  passiveWaitBacklog?: number;
  /** … for at most this long: WeChat gives up after 5 s. */
  passiveWaitMs?: number;
  /** Messages routed at once (different fans); the rest wait their turn, keeping room for acknowledgements. */
  routingConcurrency?: number;
  /** Callbacks in flight above which routing pauses (a burst). */
  busyCallbacks?: number;
  /** … but no message waits for routing longer than this. */
  maxRoutingDelayMs?: number;
}

/**
 * The inbound pipeline behind `/wechat`: store once (dedupe) → quick answer hooks → acknowledge →
 * routers in the background → mark routed. A crash anywhere after the store loses nothing: the sweep
 * routes what was not marked.
 */
export class Inbox implements CallbackHandler {
  private readonly replyHooks: ReplyHook[] = [];
  private readonly routers: InboundRouter[] = [];
  private readonly fanChains = new Map<string, Promise<void>>();
  private backlog = 0;
  private routingActive = 0;
  /** Inbound ids waiting in memory for their routers: the sweep leaves them alone. */
  private readonly queuedIds = new Set<string>();
  private inFlightCallbacks = 0;
  private stopping = false;
  private readonly o: Required<InboxOptions>;
  private readonly routingSlots: { resolve: () => void; since: number }[] = [];
  private pauseWatch: NodeJS.Timeout | null = null;
  private routedIds: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly writer: InboxWriter,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: InboxOptions = {},
  ) {
    this.o = { passiveWaitBacklog: 32, passiveWaitMs: 3000, routingConcurrency: 4, busyCallbacks: 8, maxRoutingDelayMs: 30_000, ...options };
  }

  addReplyHook(hook: ReplyHook): void {
    this.replyHooks.push(hook);
  }

  addRouter(router: InboundRouter): void {
    this.routers.push(router);
  }

  async handle(message: InboundMessage): Promise<PassiveReply | null> {
    // Counts callbacks storing and answering (not those waiting for routing): the measure of a burst.
    this.inFlightCallbacks++;
    let stored: { isNew: boolean; id: string };
    let answered: { reply: PassiveReply | null; failed: boolean };
    const context: InboundContext = { inboundId: "", via: "callback" };
    try {
      stored = await this.writer.write(message);
      // A retry of a stored message was handled the first time; handling it again could act twice.
      if (!stored.isNew) return null;
      context.inboundId = stored.id;
      answered = await this.answer(message, context);
    } finally {
      this.inFlightCallbacks--;
    }
    const { reply, failed } = answered;
    if (failed) return reply; // left unrouted: the sweep runs hooks and routers again
    if (this.routers.length === 0) {
      this.markRouted(context.inboundId);
      return reply;
    }
    if (this.backlog >= MAX_ROUTING_BACKLOG) return reply; // the sweep routes it
    // While routing keeps up, WeChat waits for the routers so their answer can be the (free) passive reply.
    // Under a burst the acknowledgement goes first and the answer follows as a customer-service message.
    const wait = this.backlog < this.o.passiveWaitBacklog && !reply;
    const routing = this.routeLater(message, context, wait);
    if (!wait) return reply;
    return (await routing.passiveReply(this.o.passiveWaitMs)) ?? reply;
  }

  /** Runs the answer hooks; the first non-null answer is the passive reply. */
  private async answer(message: InboundMessage, context: InboundContext): Promise<{ reply: PassiveReply | null; failed: boolean }> {
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
    return { reply, failed };
  }

  /**
   * Queues the message behind the fan's earlier ones (one fan's messages are routed in order), with at
   * most `routingConcurrency` messages routed at once. The router's text answer is handed to a waiting
   * callback as its passive reply; if nobody waits (any longer), it goes out through the outbox.
   */
  private routeLater(message: InboundMessage, context: InboundContext, callbackWaits: boolean): { passiveReply(timeoutMs: number): Promise<PassiveReply | null> } {
    this.backlog++;
    this.queuedIds.add(context.inboundId);
    let waiting = callbackWaits;
    let handOver: (reply: PassiveReply | null) => void = () => undefined;
    const handedOver = new Promise<PassiveReply | null>((resolve) => (handOver = resolve));

    const fan = message.fromUserName;
    const previous = this.fanChains.get(fan) ?? Promise.resolve();
    const next = previous
      // Once stopping, messages not yet routed are left for the sweep after restart.
      .then(() => (this.stopping ? false : this.withRoutingSlot(() => this.stopping ? Promise.resolve(false) : this.runRouters(message, context, (reply) => {
        if (!waiting) return false;
        waiting = false;
        handOver(reply);
        return true;
      }))))
      .then(
        (routed) => {
          if (routed) this.markRouted(context.inboundId);
        },
        () => undefined,
      )
      .finally(() => {
        waiting = false;
        handOver(null);
        this.backlog--;
        this.queuedIds.delete(context.inboundId);
        if (this.fanChains.get(fan) === next) this.fanChains.delete(fan);
      });
    this.fanChains.set(fan, next);

    return {
      passiveReply: (timeoutMs) =>
        Promise.race([
          handedOver,
          new Promise<null>((resolve) =>
            setTimeout(() => {
              waiting = false; // from now on the answer goes through the outbox
              resolve(null);
            }, timeoutMs).unref(),
          ),
        ]),
    };
  }

  /**
   * Routing shares the process with the callbacks WeChat is waiting on. While many callbacks are in flight
   * (a burst) routing pauses, so acknowledgements keep the CPU, and catches up with full concurrency when
   * the burst is over. A message never waits longer than `maxRoutingDelayMs`: then routing goes on one
   * message at a time even during the burst.
   */
  private routingLimit(): number {
    if (this.stopping || this.inFlightCallbacks <= this.o.busyCallbacks) return this.o.routingConcurrency;
    const oldest = this.routingSlots[0];
    return oldest && Date.now() - oldest.since >= this.o.maxRoutingDelayMs ? 1 : 0;
  }

  private async withRoutingSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.routingActive >= this.routingLimit()) {
      await new Promise<void>((resolve) => {
        this.routingSlots.push({ resolve, since: Date.now() });
        this.watchPausedRouting();
      });
    }
    this.routingActive++;
    try {
      return await work();
    } finally {
      this.routingActive--;
      this.wakeRouting();
    }
  }

  private wakeRouting(): void {
    for (let free = this.routingLimit() - this.routingActive; free > 0 && this.routingSlots.length > 0; free--) this.routingSlots.shift()!.resolve();
  }

  /** While routing waits, look again every 50 ms: the burst may be over, or the oldest may have waited too long. */
  private watchPausedRouting(): void {
    if (this.pauseWatch) return;
    this.pauseWatch = setInterval(() => {
      this.wakeRouting();
      if (this.routingSlots.length === 0 && this.pauseWatch) {
        clearInterval(this.pauseWatch);
        this.pauseWatch = null;
      }
    }, 50);
    this.pauseWatch.unref();
  }

  /**
   * True when every router succeeded. A router's text answer is offered to the waiting callback
   * (`takeReply` returns true when taken); otherwise it goes to the fan through the outbox.
   */
  private async runRouters(message: InboundMessage, context: InboundContext, takeReply: (reply: PassiveReply | null) => boolean = () => false): Promise<boolean> {
    let answer: PassiveReply | null = null;
    for (const router of this.routers) {
      try {
        // Every router runs; the first answer is the one given (`??=` alone would skip the later routers).
        const routed = (await router(message, context)) ?? null;
        answer ??= routed;
      } catch (error) {
        this.logger.error({ err: error, dedupeKey: message.dedupeKey }, "inbound router failed; the sweep will retry");
        takeReply(null);
        return false;
      }
    }
    if (!takeReply(answer) && answer?.type === "text") await this.sendLater(message.fromUserName, answer.content, context.inboundId);
    return true;
  }

  private async sendLater(openid: string, content: string, inboundId: string): Promise<void> {
    await this.dataSource.transaction((manager) =>
      enqueueOutbound(manager, { kind: "custom", message: { type: "text", toUser: openid, content }, ref: `inbound:${inboundId}` }, this.clock),
    );
  }

  /** Waits for the routers to finish what was queued (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.fanChains.size > 0) await Promise.all([...this.fanChains.values()]);
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
   * Returns how many it took up (messages still queued in memory are left to their routers).
   */
  async sweepUnrouted(olderThanMs = 30_000, limit = 100): Promise<number> {
    const rows = await this.dataSource.getRepository(InboundMessageRow).find({
      where: { routedAt: IsNull(), receivedAt: LessThan(new Date(this.clock.now().getTime() - olderThanMs)) },
      order: { receivedAt: "ASC" },
      take: limit,
    });
    let swept = 0;
    for (const row of rows) {
      if (this.queuedIds.has(row.id)) continue;
      swept++;
      const message = { ...(row.payload as object), rawXml: row.rawXml } as InboundMessage;
      const context: InboundContext = { inboundId: row.id, via: "sweep" };
      // The passive reply can no longer be given: a text answer goes out as a customer-service message.
      const { reply, failed } = await this.answer(message, context);
      if (failed) continue;
      if (reply?.type === "text") await this.sendLater(message.fromUserName, reply.content, row.id);
      if (await this.withRoutingSlot(() => this.runRouters(message, context))) this.markRouted(row.id);
    }
    await this.flushRouted();
    return swept;
  }

  startSweeping(intervalMs = 15_000, batch = 100): void {
    const tick = () => {
      this.sweepUnrouted(30_000, batch)
        .catch((error) => {
          this.logger.error({ err: error }, "inbound sweep failed");
          return 0;
        })
        // A full batch means more are waiting (e.g. after a restart that followed a burst): go on at once.
        .then((count) => {
          if (this.sweepTimer) this.sweepTimer = setTimeout(tick, count >= batch ? 0 : intervalMs);
        });
    };
    this.sweepTimer = setTimeout(tick, intervalMs);
  }

  /** Stops sweeping and waits for queued writes; call after the HTTP server stopped taking callbacks. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    if (this.pauseWatch) clearInterval(this.pauseWatch);
    this.pauseWatch = null;
    await this.writer.close();
    this.stopping = true;
    this.wakeRouting(); // waiters see `stopping` and leave their messages to the sweep
    await this.idle();
    await this.flushRouted();
  }
}
