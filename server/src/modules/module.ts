import type http from "node:http";
import type Router from "@koa/router";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import type { Clock } from "../infra/clock";
import type { KeyValueStore } from "../infra/kv/keyValueStore";
import type { Logger } from "../infra/logger";
import type { RealtimePublisher } from "../realtime/publisher";
import type { Sandbox } from "../sandbox/sandbox";
import type { WechatApiClient } from "../wechat/api/client";
import type { SessionStore } from "./agents/sessions";
import type { Inbox } from "./inbox/inbox";
import type { OutboxDispatcher } from "./outbox/dispatcher";
import type { Settings } from "./settings/settings";

/** What every module gets from the composition root (server.ts). */
export interface ServerContext {
  config: Config;
  logger: Logger;
  clock: Clock;
  dataSource: DataSource;
  kv: KeyValueStore;
  settings: Settings;
  wechat: WechatApiClient;
  inbox: Inbox;
  dispatcher: OutboxDispatcher;
  sessions: SessionStore;
  /** Replaced by the socket.io publisher when the realtime module installs. */
  realtime: RealtimePublisher;
  httpServer: http.Server;
  sandbox: Sandbox | null;
  /** Shared registry so modules can find each other's services without import cycles. */
  services: Map<string, unknown>;
}

/** What a module hands back: its routes, and what to start after listening and stop on shutdown. */
export interface InstalledModule {
  name: string;
  routers?: Router[];
  /** Runs after every module is installed (e.g. timers, seeds that need other modules). */
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export type ModuleInstaller = (context: ServerContext) => Promise<InstalledModule> | InstalledModule;
