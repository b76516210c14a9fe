"use strict";
// The system under test of `npm run bench:realtime`: the real server (server/dist) exactly as startServer composes
// it for production — every module installed, socket.io with the Redis adapter, the outbox dispatcher on — on a
// fresh MariaDB database and a private Redis key prefix, talking to a fake WeChat the parent runs.
//   BENCH_DB=shuiwu_bench_rt_<suffix>   BENCH_MYSQL=mysql://root@127.0.0.1:3306   BENCH_REDIS=redis://127.0.0.1:6379
//   BENCH_KV_PREFIX=<redis key prefix>   BENCH_WECHAT_API_BASE=<the fake WeChat's URL>   BENCH_AGENTS=<count>
//   BENCH_FANS=<count> (sets the agents' capacity: at least 20, at least fans / agents)
// Before `BENCH_PORT=` (see control.cjs) it prints one `BENCH_ACCOUNTS=<json>` line: the agents it created (role
// agent, online, capacity ≥ 20) and an admin (offline, never connected), each with a console session cookie made by
// the server's own SessionStore. The parent drops the database and the keys afterwards (also if this process dies).
//
// BENCH_CPU_PROF_FILE=<path>: write a CPU profile of the measured window there.
// Diagnostics only (nothing in the server's behaviour changes): per text message, the time from entering
// Inbox.handle to stored (InboxWriter.write), to the start of the conversation router, to the socket.io emit of
// `conversation:message` to the agent and to the acknowledgement; and the round trip of every SQL statement.
require("reflect-metadata");
const path = require("node:path");
const { monitorEventLoopDelay, performance, PerformanceObserver } = require("node:perf_hooks");
const mysql = require("mysql2/promise");
const account = require("../lib/account.cjs");
const { serve } = require("./control.cjs");

const dist = path.resolve(__dirname, "../../server/dist");
const { startServer } = require(path.join(dist, "server.js"));
const { loadConfig } = require(path.join(dist, "config.js"));
const { newId } = require(path.join(dist, "infra/ids.js"));
const { Agent, DEFAULT_AGENT_SETTINGS } = require(path.join(dist, "modules/agents/agent.entity.js"));
const { SESSION_COOKIE } = require(path.join(dist, "modules/agents/sessions.js"));

// ---- statement round trips (as Node sees them: database time plus any wait for this event loop) ----
const statements = new Map();
/** Failed statements by driver error code (e.g. ER_LOCK_DEADLOCK). */
const statementErrors = new Map();
const { MysqlQueryRunner } = require(require.resolve("typeorm/driver/mysql/MysqlQueryRunner.js", { paths: [dist] }));
const originalQuery = MysqlQueryRunner.prototype.query;
MysqlQueryRunner.prototype.query = async function (sql, ...rest) {
  const started = performance.now();
  try {
    return await originalQuery.call(this, sql, ...rest);
  } catch (error) {
    const code = error?.driverError?.code ?? error?.code ?? "unknown";
    statementErrors.set(code, (statementErrors.get(code) ?? 0) + 1);
    throw error;
  } finally {
    const kind = statementKind(sql);
    const entry = statements.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
    const ms = performance.now() - started;
    entry.count++;
    entry.totalMs += ms;
    entry.maxMs = Math.max(entry.maxMs, ms);
    statements.set(kind, entry);
  }
};
const kinds = new Map();
function statementKind(sql) {
  const cached = kinds.get(sql);
  if (cached !== undefined) return cached;
  const kind = classify(sql);
  if (kinds.size < 10_000) kinds.set(sql, kind);
  return kind;
}
function classify(sql) {
  const text = String(sql).trim();
  const lock = /FOR UPDATE\s*$/i.test(text) ? " … FOR UPDATE" : "";
  const match = /^(INSERT INTO \S+|SELECT .*? FROM \S+|UPDATE \S+|DELETE FROM \S+|\w+( TRANSACTION)?)/is.exec(text);
  return (match ? match[1] : text.slice(0, 30)).replace(/\s+/g, " ").replace(/^SELECT .*? FROM/is, "SELECT … FROM") + lock;
}

// ---- per-message stages, keyed by the benchmark's content token ("… #<n>") ----
const TOKEN = /#(\d+)$/;
let stages = new Map();
const stage = (token, name) => {
  if (token === null) return;
  let entry = stages.get(token);
  if (!entry) stages.set(token, (entry = {}));
  entry[name] ??= performance.now();
};
const tokenOf = (content) => {
  const match = typeof content === "string" ? TOKEN.exec(content) : null;
  return match ? match[1] : null;
};

function instrument(server) {
  const inbox = server.inbox;
  const handle = inbox.handle.bind(inbox);
  inbox.handle = async (message) => {
    const token = message.kind === "text" ? tokenOf(message.content) : null;
    stage(token, "received");
    try {
      return await handle(message);
    } finally {
      stage(token, "acked");
    }
  };
  const writer = inbox.writer;
  const write = writer.write.bind(writer);
  writer.write = async (message) => {
    const result = await write(message);
    stage(message.kind === "text" ? tokenOf(message.content) : null, "stored");
    return result;
  };
  // Inbox keeps its routers in a private array; wrap each in place (the conversations module registers one).
  const routers = inbox.routers;
  if (!Array.isArray(routers) || routers.length === 0) throw new Error("no inbound routers installed: is the conversations module missing?");
  for (let i = 0; i < routers.length; i++) {
    const router = routers[i];
    routers[i] = async (message, context) => {
      const token = message.kind === "text" ? tokenOf(message.content) : null;
      stage(token, "routing");
      try {
        return await router(message, context);
      } finally {
        stage(token, "routed");
      }
    };
  }
  const realtime = server.context.realtime;
  const toAgent = realtime.toAgent.bind(realtime);
  realtime.toAgent = (agentId, event, payload) => {
    if (event === "conversation:message") stage(tokenOf(payload?.message?.content), "emitted");
    return toAgent(agentId, event, payload);
  };
}

// ---- BENCH_CPU_PROF_FILE: a CPU profile of the measured window (from `reset` to `close`) ----
const profileFile = process.env.BENCH_CPU_PROF_FILE;
let profiler = null;
function startProfile() {
  if (!profileFile || profiler) return;
  const inspector = require("node:inspector");
  profiler = new inspector.Session();
  profiler.connect();
  profiler.post("Profiler.enable");
  profiler.post("Profiler.start");
}
function stopProfile() {
  if (!profiler) return Promise.resolve();
  return new Promise((resolve) => {
    profiler.post("Profiler.stop", (error, result) => {
      if (!error) {
        require("node:fs").mkdirSync(path.dirname(profileFile), { recursive: true });
        require("node:fs").writeFileSync(profileFile, JSON.stringify(result.profile));
      }
      profiler.disconnect();
      profiler = null;
      resolve();
    });
  });
}

// ---- the inbox's routing state, sampled every 10 ms (private fields, read only) ----
let samples = { count: 0, paused: 0, maxInFlight: 0, maxBacklog: 0, maxWaitingSlots: 0 };
function sampleInbox(inbox) {
  const busy = inbox.o?.busyCallbacks ?? 8;
  const timer = setInterval(() => {
    const inFlight = inbox.inFlightCallbacks ?? 0;
    const waitingSlots = inbox.routingSlots?.length ?? 0;
    samples.count++;
    // Routing pauses while more than `busyCallbacks` callbacks are storing (Inbox.routingLimit).
    if (inFlight > busy && waitingSlots > 0) samples.paused++;
    samples.maxInFlight = Math.max(samples.maxInFlight, inFlight);
    samples.maxBacklog = Math.max(samples.maxBacklog, inbox.backlog ?? 0);
    samples.maxWaitingSlots = Math.max(samples.maxWaitingSlots, waitingSlots);
  }, 10);
  timer.unref();
}

// ---- this process's event-loop delay and garbage-collection pauses ----
const LOOP_RESOLUTION_MS = 2;
let loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    // NODE_PERFORMANCE_GC_MAJOR = 4 (mark-sweep-compact)
    if ((entry.detail?.kind ?? entry.kind) === 4) gc.major++;
  }
}).observe({ entryTypes: ["gc"] });
function loopStats() {
  // The histogram's samples include the sampling interval itself.
  const ms = (ns) => +Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS).toFixed(1);
  return { p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
}

function percentiles(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (n) => +n.toFixed(2);
  return { count: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

function stageStats() {
  const spans = { stored: [], queued: [], routing: [], emitted: [], acked: [] };
  for (const s of stages.values()) {
    if (s.received === undefined) continue;
    if (s.stored !== undefined) spans.stored.push(s.stored - s.received);
    if (s.stored !== undefined && s.routing !== undefined) spans.queued.push(s.routing - s.stored);
    if (s.routing !== undefined && s.emitted !== undefined) spans.routing.push(s.emitted - s.routing);
    if (s.emitted !== undefined) spans.emitted.push(s.emitted - s.received);
    if (s.acked !== undefined) spans.acked.push(s.acked - s.received);
  }
  return Object.fromEntries(Object.entries(spans).map(([name, values]) => [name, percentiles(values)]));
}

async function createAccounts(server, count, fans) {
  const now = new Date();
  const capacity = Math.max(20, Math.ceil(fans / count));
  const rows = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      id: newId(),
      name: `压测客服${String(i + 1).padStart(2, "0")}`,
      jobNumber: `RT${String(i + 1).padStart(4, "0")}`,
      role: "agent",
      groupId: null,
      // 10 conversations each in the standard run; room to spare, and auto-accept stays off (the default).
      capacity,
      wechatOpenid: null,
      passwordHash: null,
      status: "online",
      statusChangedAt: now,
      settings: { ...DEFAULT_AGENT_SETTINGS },
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
  }
  // The admin only changes the service hours through the console API; it never opens a socket (admins are in
  // the supervisors room and would receive every conversation message too).
  rows.push({ ...rows[0], id: newId(), name: "压测管理员", jobNumber: "RTADMIN", role: "admin", capacity: 0, status: "offline", statusChangedAt: null });
  const repository = server.dataSource.getRepository(Agent);
  for (let i = 0; i < rows.length; i += 100) await repository.insert(rows.slice(i, i + 100).map((row) => repository.create(row)));
  const cookie = async (id) => `${SESSION_COOKIE}=${await server.context.sessions.create(id)}`;
  const agents = [];
  for (const row of rows.slice(0, count)) agents.push({ id: row.id, name: row.name, cookie: await cookie(row.id) });
  const admin = rows[count];
  return { agents, admin: { id: admin.id, cookie: await cookie(admin.id) } };
}

async function main() {
  const database = process.env.BENCH_DB;
  if (!database || !/^shuiwu_bench_rt_[a-z0-9_]+$/.test(database)) throw new Error("BENCH_DB must be shuiwu_bench_rt_<suffix>");
  if (!process.env.BENCH_WECHAT_API_BASE) throw new Error("BENCH_WECHAT_API_BASE is required (the fake WeChat's URL)");
  const mysqlUrl = (process.env.BENCH_MYSQL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");
  const agentCount = Number(process.env.BENCH_AGENTS ?? 50);

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
    WECHAT_API_BASE: process.env.BENCH_WECHAT_API_BASE,
    SANDBOX: "0",
    LOG_LEVEL: "warn",
  });
  const server = await startServer(config, { host: "127.0.0.1", kvPrefix: process.env.BENCH_KV_PREFIX ?? `shuiwu-bench-rt-${process.pid}:` });
  instrument(server);
  sampleInbox(server.inbox);
  // Experiment only (unset in the standard run): BENCH_ROUTING_CONCURRENCY=<n> overrides the Inbox's routing
  // concurrency (default 4), to see what a different default would do without editing the server.
  if (process.env.BENCH_ROUTING_CONCURRENCY) {
    server.inbox.o.routingConcurrency = Number(process.env.BENCH_ROUTING_CONCURRENCY);
    console.error(`experiment: Inbox routingConcurrency ${server.inbox.o.routingConcurrency}`);
  }
  const accounts = await createAccounts(server, agentCount, Number(process.env.BENCH_FANS ?? 500));
  process.stdout.write(`BENCH_ACCOUNTS=${JSON.stringify(accounts)}\n`);

  serve({
    port: Number(new URL(server.url).port),
    close: async () => {
      await stopProfile();
      await server.close();
    },
    resetExtra: () => {
      startProfile();
      stages = new Map();
      statements.clear();
      statementErrors.clear();
      samples = { count: 0, paused: 0, maxInFlight: 0, maxBacklog: 0, maxWaitingSlots: 0 };
      loopDelay.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0, major: 0 };
    },
    extraStats: () => ({
      stages: stageStats(),
      statements: Object.fromEntries(
        [...statements].map(([kind, e]) => [kind, { count: e.count, meanMs: +(e.totalMs / e.count).toFixed(2), maxMs: +e.maxMs.toFixed(1) }]),
      ),
      statementErrors: Object.fromEntries(statementErrors),
      eventLoopDelayMs: loopStats(),
      gc: { count: gc.count, totalMs: +gc.totalMs.toFixed(1), maxMs: +gc.maxMs.toFixed(1), major: gc.major },
      inbox: { ...samples, busyCallbacks: server.inbox.o?.busyCallbacks, routingConcurrency: server.inbox.o?.routingConcurrency },
      dbPool: poolStats(server.dataSource),
    }),
  });
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
