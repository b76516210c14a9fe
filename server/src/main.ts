import { existsSync } from "node:fs";
import { ConfigError, loadConfig } from "./config";

/** `npm start`: read .env (if any) and the environment, validate, run until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  // The server's module graph loads only once the configuration is known good: a wrong variable is
  // reported at once, not after every capability module has been read.
  const { startServer } = await import("./server");
  const server = await startServer(config);
  const base = config.publicUrl;
  server.logger.info(
    { database: config.database.kind, kv: config.redisUrl ? "redis" : "memory", sandbox: config.sandbox },
    "Shuiwu Service Desk is running",
  );
  console.log(
    [
      "",
      `  Shuiwu Service Desk is running on ${base}`,
      `  Console:           ${base}/console/`,
      `  Fan H5 pages:      ${base}/h5/`,
      `  WeChat callback:   ${base}/wechat`,
      ...(config.sandbox ? [`  Fan simulator:     ${base}/sandbox`] : []),
      `  Health:            ${base}/healthz`,
      "",
    ].join("\n"),
  );
  const shutdown = (signal: string) => {
    server.logger.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error) => {
        server.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
