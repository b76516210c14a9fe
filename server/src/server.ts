import "reflect-metadata";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Router from "@koa/router";
import type { DataSource } from "typeorm";
import { withActualPort, type Config } from "./config";
import { createApp } from "./app";
import { systemClock, type Clock } from "./infra/clock";
import { openDatabase } from "./infra/db/dataSource";
import type { KeyValueStore } from "./infra/kv/keyValueStore";
import { MemoryKeyValueStore } from "./infra/kv/memoryKeyValueStore";
import { RedisKeyValueStore } from "./infra/kv/redisKeyValueStore";
import { createLogger, type Logger } from "./infra/logger";
import { Inbox } from "./modules/inbox/inbox";
import { InboxWriter } from "./modules/inbox/inboxWriter";
import { OutboxDispatcher, type DispatcherOptions } from "./modules/outbox/dispatcher";
import { Settings } from "./modules/settings/settings";
import { subscribeWelcomeHook } from "./modules/welcome/subscribeWelcome";
import { seedDemo } from "./modules/demo/seedDemo";
import { AccessTokenProvider } from "./wechat/api/accessToken";
import { WechatApiClient } from "./wechat/api/client";
import { createWechatCallbackRouter } from "./wechat/callback/router";
import { createSandbox } from "./sandbox/sandbox";
import { createConsoleRouter } from "./http/console/consoleRoutes";
import { SessionStore } from "./modules/agents/sessions";
import type { InstalledModule, ModuleInstaller, ServerContext } from "./modules/module";
import { RecordingPublisher } from "./realtime/publisher";
import { installRealtime } from "./realtime/realtimeModule";
import { installAgents } from "./modules/agents/agentsModule";
import { installInternalChat } from "./modules/internal-chat/internalChatModule";
import { installConversations } from "./modules/conversations/conversationsModule";
import { installCustomers } from "./modules/customers/customersModule";
import { installQuickReplies } from "./modules/quick-replies/quickRepliesModule";
import { installWater } from "./modules/water/waterModule";
import { installApplications } from "./modules/applications/applicationsModule";
import { installComplaints } from "./modules/complaints/complaintsModule";
import { installMenus } from "./modules/menus/menusModule";
import { installGuides } from "./modules/guides/guidesModule";
import { installNotices } from "./modules/notices/noticesModule";
import { installPayments } from "./modules/payments/paymentsModule";

/**
 * The capability modules, installed in this order. Each returns its routers and start/stop hooks;
 * reply hooks run in installation order too.
 */
const MODULES: ModuleInstaller[] = [
  // First: replaces context.realtime with the socket.io publisher every later module uses.
  installRealtime,
  // Before conversations: registers the agent status and directory services they use.
  installAgents,
  installInternalChat,
  // Routes fans' messages to agents; customers and quick replies use its service, so they come after it.
  installConversations,
  installCustomers,
  installQuickReplies,
  // After conversations: 查水费 bypasses the conversation router; fills the profile's bound accounts.
  installWater,
  // After water: SMS verification and fan sessions; complaints after applications (fan uploads).
  installApplications,
  installComplaints,
  installNotices,
  // After water: orders use the billing gateway and the fans' bindings.
  installPayments,
  // After water: guides reuse the fan sessions.
  installGuides,
  // After conversations and water: 联系客服 queues through conversations; keys other modules answer must be
  // registered with menuClickRegistry (menus/menuClicks.ts), or this module answers them as unknown.
  installMenus,
];

/** Everything a running server holds; tests and benchmarks reach into it. */
export interface RunningServer {
  url: string;
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  kv: KeyValueStore;
  settings: Settings;
  wechat: WechatApiClient;
  inbox: Inbox;
  dispatcher: OutboxDispatcher;
  context: ServerContext;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** Prefix for every key in the key-value store (tests isolate themselves with it). */
  kvPrefix?: string;
  dispatcher?: DispatcherOptions | false;
  host?: string;
}

/** The composition root: config → db → kv → modules → app → http. */
export async function startServer(configured: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(configured.logLevel);
  const clock = options.clock ?? systemClock;

  // Listen first: with PORT=0 the sandbox's own URLs depend on the port we get. Requests wait for the
  // handler, which is attached once everything is ready.
  const httpServer = http.createServer();
  // WeChat keeps connections alive; a keep-alive longer than a proxy's avoids resets under load.
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(configured.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const config = withActualPort(configured, port);
  try {
    return await compose(config, httpServer, logger, clock, options);
  } catch (error) {
    httpServer.close();
    throw error;
  }
}

/** Builds every module around a listening HTTP server and attaches the app to it. */
async function compose(config: Config, httpServer: http.Server, logger: Logger, clock: Clock, options: StartOptions): Promise<RunningServer> {

  const dataSource = await openDatabase(config.database);
  const kv: KeyValueStore = config.redisUrl
    ? RedisKeyValueStore.connect(config.redisUrl, options.kvPrefix ?? "shuiwu:", (error) => logger.error({ err: error }, "redis error"))
    : new MemoryKeyValueStore(clock);

  const settings = new Settings(dataSource, clock);
  const tokens = new AccessTokenProvider({
    kv,
    apiBase: config.wechat.apiBase,
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    logger: logger.child({ component: "access-token" }),
    clock,
  });
  const wechat = new WechatApiClient({
    apiBase: config.wechat.apiBase,
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    tokens,
    kv,
    ...(config.sandbox ? { qrImageBase: `${config.publicUrl}/sandbox/wechat-api/cgi-bin/showqrcode` } : {}),
  });

  const inbox = new Inbox(new InboxWriter(dataSource, clock), dataSource, clock, logger.child({ component: "inbox" }));
  const dispatcher = new OutboxDispatcher(dataSource, wechat, settings, clock, logger.child({ component: "outbox" }), options.dispatcher || {});
  const sandbox = config.sandbox ? createSandbox({ config, dataSource, logger: logger.child({ component: "sandbox" }), clock }) : null;

  const context: ServerContext = {
    config,
    logger,
    clock,
    dataSource,
    kv,
    settings,
    wechat,
    inbox,
    dispatcher,
    sessions: new SessionStore(kv),
    realtime: new RecordingPublisher(),
    httpServer,
    sandbox,
    services: new Map(),
  };
  const installed: InstalledModule[] = [];
  for (const install of MODULES) installed.push(await install(context));
  // The welcome text answers a follow only when no module (e.g. a QR login scan) answered it first.
  inbox.addReplyHook(subscribeWelcomeHook(settings));

  const routers: Router[] = [
    createWechatCallbackRouter({
      token: config.wechat.token,
      appId: config.wechat.appId,
      encodingAesKeys: config.wechat.aesKeys,
      handler: inbox,
      logger: logger.child({ component: "wechat-callback" }),
    }),
    ...installed.flatMap((module) => module.routers ?? []),
    createConsoleRouter(),
  ];
  if (sandbox) routers.push(...sandbox.routers);

  if (config.seedDemo) await seedDemo({ dataSource, clock, sandbox });

  const app = createApp({
    logger,
    routers,
    health: async () => ({
      database: await dataSource.query("SELECT 1").then(
        () => "ok",
        () => "down",
      ),
      kv: await kv.get("healthz").then(
        () => "ok",
        () => "down",
      ),
    }),
  });

  httpServer.on("request", app.callback());
  const url = `http://127.0.0.1:${config.port}`;
  if (options.dispatcher !== false) dispatcher.start();
  inbox.startSweeping();
  for (const module of installed) await module.start?.();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      sandbox?.pay.stop();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
      });
      // Inbox first: writes and in-flight routing finish while the modules they call are still up.
      await inbox.stop();
      for (const module of [...installed].reverse()) await module.stop?.();
      await dispatcher.stop();
      await kv.close();
      await dataSource.destroy();
    })());

  return { url, config, logger, dataSource, kv, settings, wechat, inbox, dispatcher, context, close };
}
