/**
 * A whole server in a process of its own, for the multi-instance realtime test: it prints its URL and
 * runs until it is told to stop (SIGTERM) or killed.
 * Env: DATABASE_URL, REDIS_URL, KV_PREFIX, WECHAT_API_BASE.
 */
import "reflect-metadata";
import { startTestServer } from "./support/testServer";

async function main() {
  const env = process.env as Record<string, string>;
  const server = await startTestServer({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    kvPrefix: env.KV_PREFIX,
    wechatApiBase: env.WECHAT_API_BASE,
    start: { dispatcher: false },
  });
  process.once("SIGTERM", () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write(`listening ${server.url}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
