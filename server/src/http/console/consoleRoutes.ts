import { existsSync } from "node:fs";
import { join } from "node:path";
import Router from "@koa/router";
import { send } from "@koa/send";
import type { Context } from "koa";

/** Where `npm run build -w console` puts the console (resolved from server/src or server/dist alike). */
export const CONSOLE_DIST = join(__dirname, "../../../../console/dist");

/**
 * Serves the built Vue console under /console/ (and sends `/` there), and the fan H5 pages at /h5/: one
 * page with hash routes, its assets under /console/assets/ (the second entry of the same Vite build).
 */
export function createConsoleRouter(distDir = CONSOLE_DIST): Router {
  const router = new Router();
  router.get("/", (ctx) => ctx.redirect("/console/"));
  // (The router is not strict: "/h5/" also matches "/h5", so the page is served at both.)
  router.get("/h5/", async (ctx) => {
    if (!builtOrExplain(ctx, distDir)) return;
    await send(ctx, "h5/index.html", { root: distDir, maxage: 0 });
  });
  router.get(["/console", "/console/", "/console/*path"], async (ctx) => {
    if (!builtOrExplain(ctx, distDir)) return;
    const path = ctx.path.replace(/^\/console\/?/, "") || "index.html";
    // Hashed assets never change; index.html must be revalidated so a deploy is picked up at once.
    const immutable = path.startsWith("assets/");
    await send(ctx, path, { root: distDir, index: "index.html", immutable, maxage: immutable ? 365 * 24 * 3600_000 : 0 });
  });
  return router;
}

function builtOrExplain(ctx: Context, distDir: string): boolean {
  if (existsSync(distDir)) return true;
  ctx.status = 503;
  ctx.type = "text/plain; charset=utf-8";
  ctx.body = "页面尚未构建：请先运行 npm run build";
  return false;
}
