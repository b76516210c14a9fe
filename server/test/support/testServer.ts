import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/infra/logger";
import { startServer, type RunningServer, type StartOptions } from "../../src/server";

export const TEST_APPID = "wxtest0000000000001";
export const TEST_SECRET = "test-secret-0123456789abcdef";
export const TEST_TOKEN = "testtoken";
export const TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/** A production-shaped server (MariaDB, Redis, WeChat at a fake) on an ephemeral port. */
export async function startTestServer(options: {
  databaseUrl: string;
  redisUrl?: string;
  kvPrefix: string;
  wechatApiBase: string;
  aesKey?: string;
  start?: StartOptions;
}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: "0",
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    WECHAT_APPID: TEST_APPID,
    WECHAT_APPSECRET: TEST_SECRET,
    WECHAT_TOKEN: TEST_TOKEN,
    WECHAT_AES_KEY: options.aesKey,
    WECHAT_API_BASE: options.wechatApiBase,
    SANDBOX: "0",
    LOG_LEVEL: "silent",
  });
  return startServer(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), kvPrefix: options.kvPrefix, host: "127.0.0.1", ...options.start });
}
