"use strict";
// Baseline 1: the cheapest possible WeChat endpoint — Koa answering `success` without reading,
// verifying or storing anything. It measures Koa + Node HTTP on one core and nothing else.
const http = require("node:http");
const Koa = require("koa");
const { serve } = require("./control.cjs");

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === "POST" && ctx.path === "/wechat") {
    ctx.type = "text/plain";
    ctx.body = "success";
  } else {
    ctx.status = 404;
  }
});

const server = http.createServer(app.callback());
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  serve({
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
});
