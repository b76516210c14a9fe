/**
 * A dispatcher in a process of its own, for the crash test: it runs until it is killed.
 * Env: DATABASE_URL, REDIS_URL, KV_PREFIX, WECHAT_API_BASE, APPID, SECRET, CLAIM_MS.
 */
import "reflect-metadata";
import { systemClock } from "../../src/infra/clock";
import { openDatabase } from "../../src/infra/db/dataSource";
import { RedisKeyValueStore } from "../../src/infra/kv/redisKeyValueStore";
import { createLogger } from "../../src/infra/logger";
import { OutboxDispatcher } from "../../src/modules/outbox/dispatcher";
import { Settings } from "../../src/modules/settings/settings";
import { AccessTokenProvider } from "../../src/wechat/api/accessToken";
import { WechatApiClient } from "../../src/wechat/api/client";

async function main() {
  const env = process.env as Record<string, string>;
  const logger = createLogger("silent");
  const dataSource = await openDatabase({ kind: "mysql", url: env.DATABASE_URL });
  const kv = RedisKeyValueStore.connect(env.REDIS_URL, env.KV_PREFIX);
  const tokens = new AccessTokenProvider({ kv, apiBase: env.WECHAT_API_BASE, appId: env.APPID, appSecret: env.SECRET, logger });
  const client = new WechatApiClient({ apiBase: env.WECHAT_API_BASE, appId: env.APPID, appSecret: env.SECRET, tokens, kv });
  const dispatcher = new OutboxDispatcher(dataSource, client, new Settings(dataSource, systemClock), systemClock, logger, {
    claimMs: Number(env.CLAIM_MS),
    pollMs: 20,
    batchSize: 50,
  });
  dispatcher.start();
  process.stdout.write("ready\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
