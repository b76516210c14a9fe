import { resolveActor } from "../http/console/auth";
import type { KeyValueStore } from "../infra/kv/keyValueStore";
import { RedisKeyValueStore } from "../infra/kv/redisKeyValueStore";
import type { ModuleInstaller } from "../modules/module";
import { AGENT_SOCKETS_SERVICE, type AgentSockets } from "./agentSockets";
import { SocketServer } from "./socketServer";

/**
 * Installs socket.io on the server's HTTP server and makes it the context's realtime publisher. Must be
 * installed before every module that publishes or looks up AgentSockets.
 */
export const installRealtime: ModuleInstaller = (context) => {
  const sockets = new SocketServer({
    httpServer: context.httpServer,
    kv: context.kv,
    logger: context.logger.child({ component: "realtime" }),
    authenticate: (token) => resolveActor(context, token),
    ...(context.config.redisUrl ? { redis: { url: context.config.redisUrl, channelPrefix: channelPrefixOf(context.kv) } } : {}),
  });
  context.realtime = sockets;
  context.services.set(AGENT_SOCKETS_SERVICE, sockets satisfies AgentSockets);
  return {
    name: "realtime",
    start: () => sockets.attach(),
    stop: () => sockets.close(),
  };
};

/**
 * The Redis adapter's pub/sub channels are not keys, so the key-value prefix does not apply to them by
 * itself: instances sharing a key prefix (one deployment, or one test run) share one channel prefix too.
 */
function channelPrefixOf(kv: KeyValueStore): string {
  // TypeScript's index access reads the private field; RedisKeyValueStore does not expose its prefix.
  return kv instanceof RedisKeyValueStore ? kv["prefix"] : "shuiwu:";
}
