"use strict";
// Baseline 2: the npm package co-wechat 2.4.0 (node-webot), a peer WeChat middleware for Koa. It verifies
// the signature, reads and parses the XML (xml2js 0.4), decrypts in safe mode, and echoes the text back as a
// passive reply (encrypted in safe mode) — but stores nothing. Its middleware is a plain
// `async (ctx, next)` that only uses ctx.query/method/req/request.length/charset, so it runs on Koa 3 as is.
const http = require("node:http");
const Koa = require("koa");
const wechat = require("co-wechat");
const { serve } = require("./control.cjs");
const account = require("../lib/account.cjs");

const safe = process.env.BENCH_MODE === "safe";
const config = safe
  ? { token: account.TOKEN, appid: account.APPID, encodingAESKey: account.AES_KEY }
  : { token: account.TOKEN, appid: account.APPID };

const app = new Koa();
app.use(wechat(config).middleware(async (message) => message.Content));

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
