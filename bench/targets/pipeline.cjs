"use strict";
// The system under test: the real server (server/dist, built by `npm run bench:callback`) on MariaDB + Redis,
// exactly as startServer composes it for production, minus the outbox dispatcher (nothing to send here).
//   BENCH_MODE=plaintext|safe   BENCH_DB=<database to create>   BENCH_MYSQL=mysql://root@127.0.0.1:3306
//   BENCH_REDIS=redis://127.0.0.1:6379   BENCH_KV_PREFIX=<redis key prefix>
// The parent drops the database afterwards (it also knows the name if this process crashes).
require("reflect-metadata");
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const mysql = require("mysql2/promise");
const account = require("../lib/account.cjs");
const { serve } = require("./control.cjs");

const dist = path.resolve(__dirname, "../../server/dist");
const { startServer } = require(path.join(dist, "server.js"));
const { loadConfig } = require(path.join(dist, "config.js"));
const { InboxWriter } = require(path.join(dist, "modules/inbox/inboxWriter.js"));

// Experiments only: BENCH_PIPELINE_PRELOAD=<patch.cjs> (relative to the repository root) is loaded before the
// instrumentation below, so that it measures the patched code, and before the server starts: a way to try a
// change to the server (e.g. a different InboxWriter.flush) without editing it. See bench/experiments/.
if (process.env.BENCH_PIPELINE_PRELOAD) {
  console.error(`experiment: preloading ${process.env.BENCH_PIPELINE_PRELOAD}`);
  require(path.resolve(process.env.BENCH_PIPELINE_PRELOAD));
}

// Diagnostics only: how many messages each group-commit transaction carried and how long it took.
// Wraps the (TypeScript-private) flush method; the behaviour is unchanged.
const batches = { count: 0, messages: 0, max: 0, totalMs: 0, maxMs: 0, sizes: new Map() };
const resetBatches = () => {
  Object.assign(batches, { count: 0, messages: 0, max: 0, totalMs: 0, maxMs: 0 });
  batches.sizes = new Map();
};
const originalFlush = InboxWriter.prototype.flush;
InboxWriter.prototype.flush = async function (batch) {
  const started = performance.now();
  try {
    return await originalFlush.call(this, batch);
  } finally {
    if (batch.length > 0) {
      const ms = performance.now() - started;
      batches.count++;
      batches.messages += batch.length;
      batches.max = Math.max(batches.max, batch.length);
      batches.totalMs += ms;
      batches.maxMs = Math.max(batches.maxMs, ms);
      const bucket = batch.length === 1 ? "1" : batch.length <= 5 ? "2-5" : batch.length <= 20 ? "6-20" : batch.length <= 50 ? "21-50" : ">50";
      batches.sizes.set(bucket, (batches.sizes.get(bucket) ?? 0) + 1);
    }
  }
};

// Diagnostics only: round-trip time of each statement the writer issues, as Node sees it (database time plus
// any wait for this busy event loop to run the continuation).
const statements = new Map();
const resetStatements = () => statements.clear();
const { MysqlQueryRunner } = require(require.resolve("typeorm/driver/mysql/MysqlQueryRunner.js", { paths: [dist] }));
const originalQuery = MysqlQueryRunner.prototype.query;
MysqlQueryRunner.prototype.query = async function (sql, ...rest) {
  const started = performance.now();
  try {
    return await originalQuery.call(this, sql, ...rest);
  } finally {
    const kind = statementKind(sql);
    const entry = statements.get(kind) ?? { count: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += performance.now() - started;
    statements.set(kind, entry);
  }
};
function statementKind(sql) {
  const text = String(sql).trim();
  const match = /^(INSERT INTO \S+|SELECT .*? FROM \S+|UPDATE \S+|DELETE FROM \S+|\w+( TRANSACTION)?)/is.exec(text);
  return (match ? match[1] : text.slice(0, 30)).replace(/\s+/g, " ").replace(/^SELECT .*? FROM/i, "SELECT … FROM");
}

async function main() {
  const mode = process.env.BENCH_MODE === "safe" ? "safe" : "plaintext";
  const database = process.env.BENCH_DB;
  if (!database || !/^shuiwu_bench_[a-z0-9_]+$/.test(database)) throw new Error("BENCH_DB must be shuiwu_bench_<suffix>");
  const mysqlUrl = (process.env.BENCH_MYSQL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");

  const admin = await mysql.createConnection(mysqlUrl);
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();

  const config = loadConfig({
    PORT: "0",
    DATABASE_URL: `${mysqlUrl}/${database}`,
    REDIS_URL: process.env.BENCH_REDIS ?? "redis://127.0.0.1:6379",
    WECHAT_APPID: account.APPID,
    WECHAT_APPSECRET: account.APPSECRET,
    WECHAT_TOKEN: account.TOKEN,
    WECHAT_AES_KEY: mode === "safe" ? account.AES_KEY : undefined,
    // Never called: the dispatcher is off and text messages get no API call. Port 9 = discard.
    WECHAT_API_BASE: "http://127.0.0.1:9",
    SANDBOX: "0",
    LOG_LEVEL: "warn",
  });
  const server = await startServer(config, {
    dispatcher: false,
    host: "127.0.0.1",
    kvPrefix: process.env.BENCH_KV_PREFIX ?? `shuiwu-bench-${process.pid}:`,
  });

  // Experiments only (unset in the standard run): override the InboxWriter's group-commit limits, e.g.
  // BENCH_WRITER_MAX_FLUSHES=4, to see what a different default would do without editing the server.
  const experiment = {};
  if (process.env.BENCH_WRITER_MAX_FLUSHES) experiment.maxConcurrentFlushes = Number(process.env.BENCH_WRITER_MAX_FLUSHES);
  if (process.env.BENCH_WRITER_MAX_BATCH) experiment.maxBatch = Number(process.env.BENCH_WRITER_MAX_BATCH);
  if (Object.keys(experiment).length > 0) {
    const writer = server.inbox.writer;
    writer.options = { ...writer.options, ...experiment };
    console.error(`experiment: InboxWriter options ${JSON.stringify(writer.options)}`);
  }

  serve({
    port: Number(new URL(server.url).port),
    close: async () => {
      // server.close() stops HTTP and then destroys the pool without waiting for a group commit under way;
      // letting the writer go idle first keeps the handlers cut off by autocannon from logging pool errors.
      await writerIdle(server.inbox, 5000);
      await server.close();
    },
    resetExtra: () => {
      resetBatches();
      resetStatements();
    },
    extraStats: () => ({
      batches: {
        count: batches.count,
        meanSize: batches.count ? +(batches.messages / batches.count).toFixed(1) : 0,
        maxSize: batches.max,
        meanMs: batches.count ? +(batches.totalMs / batches.count).toFixed(2) : 0,
        maxMs: +batches.maxMs.toFixed(1),
        sizes: Object.fromEntries(batches.sizes),
      },
      statements: Object.fromEntries(
        [...statements].map(([kind, e]) => [kind, { count: e.count, meanMs: +(e.totalMs / e.count).toFixed(2) }]),
      ),
      dbPool: poolStats(server.dataSource),
    }),
  });
}

/** Resolves when the InboxWriter behind `inbox` has nothing queued or flushing (bench-only peek at private fields). */
async function writerIdle(inbox, timeoutMs) {
  const writer = inbox && inbox.writer;
  if (!writer || !Array.isArray(writer.queue)) return;
  const deadline = Date.now() + timeoutMs;
  while ((writer.queue.length > 0 || writer.flushing > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** mysql2 pool occupancy, if the driver exposes it (diagnostics only). */
function poolStats(dataSource) {
  const pool = dataSource.driver && dataSource.driver.pool;
  if (!pool || !pool._allConnections) return undefined;
  return { open: pool._allConnections.length, free: pool._freeConnections.length, queued: pool._connectionQueue.length };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
