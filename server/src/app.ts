import Koa from "koa";
import Router from "@koa/router";
import type { Logger } from "./infra/logger";
import { errorMiddleware } from "./http/errors";

/**
 * The Koa middleware stack. Each surface contributes its routers; main.ts decides which ones exist
 * (the sandbox only in sandbox mode).
 */
export function createApp(options: { logger: Logger; routers: Router[]; health: () => Promise<Record<string, unknown>> }): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged once, by errorMiddleware
  app.use(errorMiddleware(options.logger));

  const health = new Router();
  health.get("/healthz", async (ctx) => {
    const checks = await options.health();
    ctx.status = Object.values(checks).every((v) => v === "ok") ? 200 : 503;
    ctx.body = checks;
  });
  app.use(health.routes());

  for (const router of options.routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
