import { existsSync } from "node:fs";
import { join } from "node:path";
import Router from "@koa/router";
import { send } from "@koa/send";

/** Where `npm run build -w console` puts the console (resolved from server/src or server/dist alike). */
export const CONSOLE_DIST = join(__dirname, "../../../../console/dist");

/** Serves the built Vue console under /console/ and sends `/` there. */
export function createConsoleRouter(distDir = CONSOLE_DIST): Router {
  const router = new Router();
  router.get("/", (ctx) => ctx.redirect("/console/"));
  router.get(["/console", "/console/", "/console/*path"], async (ctx) => {
    if (!existsSync(distDir)) {
      ctx.status = 503;
      ctx.type = "text/plain; charset=utf-8";
      ctx.body = "控制台尚未构建：请先运行 npm run build";
      return;
    }
    const path = ctx.path.replace(/^\/console\/?/, "") || "index.html";
    // Hashed assets never change; index.html must be revalidated so a deploy is picked up at once.
    const immutable = path.startsWith("assets/");
    await send(ctx, path, { root: distDir, index: "index.html", immutable, maxage: immutable ? 365 * 24 * 3600_000 : 0 });
  });
  return router;
}
