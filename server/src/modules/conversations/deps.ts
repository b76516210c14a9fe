import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Logger } from "../../infra/logger";
import type { RealtimeEvent, RealtimePublisher } from "../../realtime/publisher";
import type { ServerContext } from "../module";
import type { Settings } from "../settings/settings";

/** What the conversation commands need from the server. */
export interface ConversationDeps {
  dataSource: DataSource;
  clock: Clock;
  settings: Settings;
  kv: KeyValueStore;
  logger: Logger;
  /** Base URL fans reach the server at (rating links). */
  publicUrl: string;
  /** Read at call time: the realtime module replaces the publisher when it installs. */
  realtime(): RealtimePublisher;
  /** Asks the outbox to send now, after a transaction that enqueued rows committed. */
  wakeOutbox(): void;
  /** Asks the assigner to look at the queue soon (a conversation was queued or an agent freed up). */
  kickAssigner(): void;
  /** Extension points of other modules (e.g. water accounts for the customer profile). */
  services: Map<string, unknown>;
}

export function depsFromContext(context: ServerContext, kickAssigner: () => void = () => undefined): ConversationDeps {
  return {
    dataSource: context.dataSource,
    clock: context.clock,
    settings: context.settings,
    kv: context.kv,
    logger: context.logger.child({ component: "conversations" }),
    publicUrl: context.config.publicUrl,
    realtime: () => context.realtime,
    wakeOutbox: () => context.dispatcher.wake(),
    kickAssigner,
    services: context.services,
  };
}

type Target = { kind: "agent"; id: string } | { kind: "group"; id: string } | { kind: "supervisors" } | { kind: "agents" };

/**
 * Realtime events collected while a transaction runs and sent only after it committed, so nobody is
 * told about a change that was rolled back. Payloads may be computed lazily (after the commit).
 */
export class Pushes {
  private readonly items: { target: Target; event: RealtimeEvent; payload: () => unknown | Promise<unknown> }[] = [];

  toAgent(id: string | null | undefined, event: RealtimeEvent, payload: unknown | (() => unknown | Promise<unknown>)): this {
    if (id) this.items.push({ target: { kind: "agent", id }, event, payload: lazy(payload) });
    return this;
  }
  toGroup(id: string | null | undefined, event: RealtimeEvent, payload: unknown | (() => unknown | Promise<unknown>)): this {
    if (id) this.items.push({ target: { kind: "group", id }, event, payload: lazy(payload) });
    return this;
  }
  toSupervisors(event: RealtimeEvent, payload: unknown | (() => unknown | Promise<unknown>)): this {
    this.items.push({ target: { kind: "supervisors" }, event, payload: lazy(payload) });
    return this;
  }
  toAllAgents(event: RealtimeEvent, payload: unknown | (() => unknown | Promise<unknown>)): this {
    this.items.push({ target: { kind: "agents" }, event, payload: lazy(payload) });
    return this;
  }
  get size(): number {
    return this.items.length;
  }

  /** Sends everything; a failing push is logged, never thrown (the change it reports is committed). */
  async flush(publisher: () => RealtimePublisher, logger: Logger): Promise<void> {
    const items = this.items.splice(0);
    const cache = new Map<() => unknown, Promise<unknown>>();
    for (const item of items) {
      try {
        if (!cache.has(item.payload)) cache.set(item.payload, Promise.resolve(item.payload()));
        const payload = await cache.get(item.payload);
        const realtime = publisher();
        switch (item.target.kind) {
          case "agent":
            realtime.toAgent(item.target.id, item.event, payload);
            break;
          case "group":
            realtime.toGroup(item.target.id, item.event, payload);
            break;
          case "supervisors":
            realtime.toSupervisors(item.event, payload);
            break;
          case "agents":
            realtime.toAllAgents(item.event, payload);
            break;
        }
      } catch (error) {
        logger.error({ err: error, event: item.event }, "realtime push failed");
      }
    }
  }
}

function lazy(payload: unknown): () => unknown | Promise<unknown> {
  return typeof payload === "function" ? (payload as () => unknown) : () => payload;
}
