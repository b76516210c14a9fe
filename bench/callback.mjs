#!/usr/bin/env node
// `npm run bench:callback` — load test of the WeChat callback endpoint (POST /wechat).
//
// For each mode (plaintext, then safe) and each target — a bare Koa app answering `success`, the npm package
// co-wechat (verifies, parses, echoes, stores nothing) and the full pipeline (verify → parse → batched dedupe
// insert into MariaDB → ack) — it starts the target in its own Node process pinned to core 1, warms it up,
// then measures with autocannon from this process (pinned to core 0): distinct, validly signed text messages,
// BENCH_CONNECTIONS connections, pipelining 1, BENCH_DURATION seconds. For the pipeline it then reconciles
// the acknowledged messages with the rows stored in MariaDB. See docs/benchmarks.md.
//
// Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 50), BENCH_WARMUP (s, default 3),
//      BENCH_MODES (e.g. "safe"), BENCH_TARGETS (e.g. "co-wechat,pipeline"), BENCH_MYSQL (default
//      mysql://root@127.0.0.1:3306), BENCH_REDIS (default redis://127.0.0.1:6379), BENCH_JSON=<file> (also write
//      the results as JSON), BENCH_QUIET_WAIT (s to wait for other jobs before each target, default 60, 0 = off).
//      Investigation: BENCH_CPU_PROF=1 (profile the pipeline child into bench/profiles/, summarise with
//      bench/profile-summary.mjs), BENCH_WRITER_MAX_FLUSHES / BENCH_WRITER_MAX_BATCH (override the InboxWriter's
//      group-commit limits), BENCH_PIPELINE_PRELOAD=<file.cjs> (load a patch into the pipeline child first).
// Exit code: 0 whether or not the targets are met (a benchmark never fails a build); 1 if something crashed.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { createMessageGenerator, fanPool } from "./lib/messages.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const mysql = require("mysql2/promise");
const Redis = require("ioredis");

// wechat-crypto (the independent encryptor) still calls `new Buffer()`; its deprecation warning is noise here.
process.noDeprecation = true;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

const positiveInt = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
};
const DURATION = positiveInt("BENCH_DURATION", 10);
const CONNECTIONS = positiveInt("BENCH_CONNECTIONS", 50);
const WARMUP = positiveInt("BENCH_WARMUP", 3);
const MYSQL_URL = (process.env.BENCH_MYSQL || "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");
const REDIS_URL = process.env.BENCH_REDIS || "redis://127.0.0.1:6379";
const CPU_PROF = process.env.BENCH_CPU_PROF === "1";
const MODES = (process.env.BENCH_MODES || "plaintext,safe").split(",").map((s) => s.trim()).filter(Boolean);
const TARGET_NAMES = (process.env.BENCH_TARGETS || "bare,co-wechat,pipeline").split(",").map((s) => s.trim()).filter(Boolean);

const TARGETS = {
  bare: { script: "targets/bare.cjs", expect: (body) => body === "success" },
  "co-wechat": {
    script: "targets/cowechat.cjs",
    // co-wechat echoes the text as a passive reply; in safe mode the reply is sealed in <Encrypt>.
    expect: (body, context, mode) =>
      mode === "safe"
        ? body.startsWith("<xml><Encrypt><![CDATA[") && body.includes("<MsgSignature>")
        : body.startsWith("<xml>") && body.includes(`<Content><![CDATA[${context.content}]]></Content>`),
  },
  // The pipeline acknowledges with `success`, or with a passive reply when a module answers at once (the queued
  // notice, the off-hours notice); in safe mode that reply is sealed in <Encrypt>.
  pipeline: {
    script: "targets/pipeline.cjs",
    expect: (body, _context, mode) =>
      body === "success" || (mode === "safe" ? body.startsWith("<xml><Encrypt><![CDATA[") && body.includes("<MsgSignature>") : body.startsWith("<xml><ToUserName>")),
    stores: true,
  },
};
for (const name of TARGET_NAMES) if (!TARGETS[name]) throw new Error(`unknown target "${name}" (bare, co-wechat, pipeline)`);
for (const mode of MODES) if (mode !== "plaintext" && mode !== "safe") throw new Error(`unknown mode "${mode}" (plaintext, safe)`);

/** A machine busier than this (cores, averaged over a second) between runs is not quiet. */
const QUIET_BUSY_CORES = 0.15;
/** Other jobs using more than this share of a core during a run make its figures suspect. */
const OTHER_CPU_WARNING = 0.1;

// Targets from the issue.
const GOALS = { minRatioToCoWechat: 0.5, maxP99Ms: 50 };

const cleanups = [];
const children = new Set();

// ---------------------------------------------------------------------------------------------------------
// CPU placement: this process (autocannon + request signing) on core 0, each target on core 1.

const hasTaskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
const cores = os.cpus().length;
const pinning = hasTaskset && cores >= 2;
if (pinning) spawnSync("taskset", ["-pc", "0", String(process.pid)], { stdio: "ignore" });

// MariaDB's own CPU time (Linux /proc, when it runs on this machine): it shares the two cores with everything else.
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;
const mariadbPid = (() => {
  for (const name of ["mariadbd", "mysqld"]) {
    const found = spawnSync("pidof", [name], { encoding: "utf8" });
    const pid = Number(found.stdout?.trim().split(/\s+/)[0]);
    if (found.status === 0 && pid > 0) return pid;
  }
  return null;
})();
/** Seconds of CPU the MariaDB server has used so far, or null when it cannot be read. */
function mariadbCpuSeconds() {
  if (!mariadbPid) return null;
  try {
    const stat = readFileSync(`/proc/${mariadbPid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores, /proc/stat), or null off Linux. */
function machineBusySeconds() {
  try {
    const [cpu] = readFileSync("/proc/stat", "utf8").split("\n");
    const ticks = cpu.trim().split(/\s+/).slice(1).map(Number);
    const idle = ticks[3] + (ticks[4] || 0); // idle + iowait
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already inside user
    return (total - idle) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Other jobs on a 2-core machine distort every figure, so before each target wait (up to BENCH_QUIET_WAIT s,
 * default 60) for a second in which the machine is mostly idle. Returns the seconds waited.
 */
async function waitForQuiet() {
  const limit = Number(process.env.BENCH_QUIET_WAIT ?? 60);
  if (machineBusySeconds() === null || !(limit > 0)) return 0;
  const started = performance.now();
  for (;;) {
    const before = machineBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = machineBusySeconds() - before; // cores busy over that second
    const waited = (performance.now() - started) / 1000;
    if (busy <= QUIET_BUSY_CORES || waited >= limit) return waited > 1.5 ? waited : 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Target processes.

/** Starts a target and resolves once it listens; commands and stats go over its stdin/stdout. */
async function startTarget(name, mode, env = {}) {
  const script = path.join(here, TARGETS[name].script);
  const nodeArgs = [];
  if (CPU_PROF && name === "pipeline") {
    const dir = path.join(here, "profiles");
    mkdirSync(dir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=pipeline-${mode}-${Date.now()}.cpuprofile`);
  }
  const command = pinning ? "taskset" : process.execPath;
  const args = pinning ? ["-c", "1", process.execPath, ...nodeArgs, script] : [...nodeArgs, script];
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, BENCH_MODE: mode }, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);

  let passedThrough = 0;
  let suppressed = 0;
  const passThrough = (line) => {
    if (passedThrough++ < 20) process.stderr.write(`  [${name}] ${line}\n`);
    else suppressed++;
  };
  let statsWaiter = null;
  let portResolve;
  let portReject;
  const port = new Promise((resolve, reject) => {
    portResolve = resolve;
    portReject = reject;
  });
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("BENCH_PORT=")) portResolve(Number(line.slice("BENCH_PORT=".length)));
    else if (line.startsWith("BENCH_STATS=") && statsWaiter) {
      const waiter = statsWaiter;
      statsWaiter = null;
      waiter.resolve(JSON.parse(line.slice("BENCH_STATS=".length)));
    } else passThrough(line);
  });
  readline.createInterface({ input: child.stderr }).on("line", passThrough);

  let expectedExit = false;
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (suppressed > 0) process.stderr.write(`  [${name}] … ${suppressed} more output lines suppressed\n`);
      const error = new Error(`${name} target (${mode}) exited with ${signal ?? `code ${code}`}${expectedExit ? "" : " unexpectedly"}`);
      portReject(error);
      if (statsWaiter) statsWaiter.reject(error);
      if (!expectedExit || code !== 0) crashed(error);
      resolve({ code, signal });
    });
  });

  const send = (command) => child.stdin.write(`${command}\n`);
  return {
    name,
    port: await withTimeout(port, 60_000, `${name} did not start listening`),
    reset: () => send("reset"),
    stats: () =>
      withTimeout(
        new Promise((resolve, reject) => {
          statsWaiter = { resolve, reject };
          send("stats");
        }),
        10_000,
        `${name} did not report stats`,
      ),
    async stop() {
      expectedExit = true;
      send("close");
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let crash = null;
/** A target dying mid-run is a crash of the benchmark (exit 1), not a missed target. */
function crashed(error) {
  crash ??= error;
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// Load.

/** One autocannon run; every request is a fresh message from `generator`, every answer is checked. */
async function load({ port, generator, mode, target, seconds, tally }) {
  const expect = TARGETS[target].expect;
  const elu = performance.eventLoopUtilization();
  const dbCpuBefore = mariadbCpuSeconds();
  const machineBefore = machineBusySeconds();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "text/xml" },
        setupRequest(request, context) {
          const message = generator.next();
          // With pipelining 1 each connection has one request in flight, so the per-connection context
          // still holds this message when its response arrives.
          context.msgId = message.msgId;
          context.content = message.content;
          tally.generated++;
          request.path = message.path;
          request.body = message.body;
          return request;
        },
        onResponse(status, body, context) {
          tally.responses++;
          if (status !== 200) return;
          if (!expect(body, context, mode)) {
            if (tally.badBodies++ === 0) tally.firstBadBody = body.slice(0, 200);
            return;
          }
          tally.acked++;
          if (tally.ackedIds) tally.ackedIds.push(context.msgId);
        },
      },
    ],
  });
  if (crash) throw crash;
  const elapsed = (performance.now() - started) / 1000;
  const dbCpuAfter = mariadbCpuSeconds();
  const machineAfter = machineBusySeconds();
  const own = process.cpuUsage(ownBefore);
  return {
    result,
    loadgenElu: performance.eventLoopUtilization(elu).utilization,
    wallSeconds: elapsed,
    // All as a fraction of one core over the run.
    dbCpu: dbCpuBefore === null || dbCpuAfter === null ? null : (dbCpuAfter - dbCpuBefore) / elapsed,
    machineCpu: machineBefore === null || machineAfter === null ? null : (machineAfter - machineBefore) / elapsed,
    loadgenCpu: (own.user + own.system) / 1e6 / elapsed,
  };
}

function newTally(stores) {
  return { generated: 0, responses: 0, acked: 0, badBodies: 0, firstBadBody: null, ackedIds: stores ? [] : null };
}

// ---------------------------------------------------------------------------------------------------------
// Storage reconciliation (pipeline only).

async function reconcile(database, ackedIds, { first, last }) {
  const connection = await mysql.createConnection({ uri: `${MYSQL_URL}/${database}`, supportBigNumbers: true, bigNumberStrings: true });
  try {
    const [[counts]] = await connection.query(
      "SELECT COUNT(*) AS `rows`, COUNT(DISTINCT dedupe_key) AS `keys`, COUNT(DISTINCT msg_id) AS ids FROM inbound_message",
    );
    const [[fans]] = await connection.query("SELECT COUNT(*) AS fans FROM fan");
    const [rows] = await connection.query("SELECT msg_id FROM inbound_message");
    const stored = new Set(rows.map((row) => row.msg_id));
    const acked = new Set(ackedIds);
    let lost = 0;
    for (const id of acked) if (!stored.has(id)) lost++;
    let unacked = 0;
    let foreign = 0;
    for (const id of stored) {
      if (!acked.has(id)) unacked++;
      const n = BigInt(id);
      if (n < first || n > last) foreign++;
    }
    return {
      rows: Number(counts.rows),
      duplicates: Number(counts.rows) - Number(counts.keys),
      acked: acked.size,
      ackedTwice: ackedIds.length - acked.size,
      lost,
      // Stored but never acknowledged: in flight when autocannon closed its sockets (at most one per connection).
      unacked,
      foreign,
      fans: Number(fans.fans),
    };
  } finally {
    await connection.end();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Main.

async function machine() {
  const info = {
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown",
    cores,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(" "),
    pinning: pinning ? "load generator on core 0 (taskset -p), each target on core 1 (taskset -c 1); MariaDB and Redis unpinned" : hasTaskset ? "not pinned (fewer than 2 cores)" : "not pinned (no taskset)",
  };
  const connection = await mysql.createConnection(MYSQL_URL);
  try {
    const [[version]] = await connection.query("SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b");
    info.mariadb = `${version.v} (innodb_flush_log_at_trx_commit=${version.f}, buffer pool ${Math.round(Number(version.b) / 2 ** 20)} MiB)`;
  } finally {
    await connection.end();
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const server = await redis.info("server");
    info.redis = /redis_version:(\S+)/.exec(server)?.[1] ?? "unknown";
  } finally {
    redis.disconnect();
  }
  return info;
}

async function runTarget(target, mode) {
  const stores = Boolean(TARGETS[target].stores);
  const suffix = `${mode}_${randomBytes(4).toString("hex")}`;
  const env = {};
  let database = null;
  if (stores) {
    database = `shuiwu_bench_${suffix}`;
    const kvPrefix = `shuiwu-bench-${suffix}:`;
    Object.assign(env, { BENCH_DB: database, BENCH_MYSQL: MYSQL_URL, BENCH_REDIS: REDIS_URL, BENCH_KV_PREFIX: kvPrefix });
    cleanups.push(() => dropDatabase(database), () => deleteKeys(kvPrefix));
  }

  process.stderr.write(`${mode.padEnd(9)} ${target.padEnd(9)} `);
  const waited = await waitForQuiet();
  if (waited > 0) process.stderr.write(`(waited ${Math.round(waited)} s for other jobs to finish) `);
  process.stderr.write("starting…");
  const server = await startTarget(target, mode, env);
  const generator = createMessageGenerator({ mode, fans: fanPool(1000) });
  const tally = newTally(stores);
  let measured;
  let stats;
  try {
    process.stderr.write(` warm-up ${WARMUP}s…`);
    await load({ port: server.port, generator, mode, target, seconds: WARMUP, tally });
    server.reset();
    const warmupAcked = tally.acked;
    const warmupGenerated = tally.generated;
    const warmupBad = tally.badBodies;
    process.stderr.write(` measuring ${DURATION}s…`);
    measured = await load({ port: server.port, generator, mode, target, seconds: DURATION, tally });
    stats = await server.stats();
    measured.acked = tally.acked - warmupAcked;
    measured.generated = tally.generated - warmupGenerated;
    measured.badBodies = tally.badBodies - warmupBad;
    measured.warmupBadBodies = warmupBad;
  } finally {
    await server.stop();
  }
  if (crash) throw crash;
  const storage = stores ? await reconcile(database, tally.ackedIds, generator.range()) : null;
  process.stderr.write(" done\n");

  const { result } = measured;
  return {
    target,
    mode,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    maxLatency: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    badBodies: measured.badBodies + measured.warmupBadBodies,
    firstBadBody: tally.firstBadBody,
    measuredResponses: result.totalCompletedRequests,
    measuredAcked: measured.acked,
    totalGenerated: tally.generated,
    totalAcked: tally.acked,
    loadgenElu: measured.loadgenElu,
    mariadbCpu: measured.dbCpu,
    // CPU used by anything other than this process, the target and MariaDB (other jobs on the machine):
    // when it is large, the figures of that row are not comparable.
    otherCpu:
      measured.machineCpu === null
        ? null
        : Math.max(0, measured.machineCpu - measured.loadgenCpu - (stats.cpuUserMs + stats.cpuSystemMs) / stats.wallMs - (measured.dbCpu ?? 0)),
    server: stats,
    storage,
  };
}

async function dropDatabase(database) {
  const connection = await mysql.createConnection(MYSQL_URL);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

async function deleteKeys(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report.

const fmt = {
  int: (n) => Math.round(n).toLocaleString("en-US"),
  ms: (n) => (n >= 10 ? n.toFixed(0) : n.toFixed(1)),
  pct: (n) => `${Math.round(n * 100)}%`,
};

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function report(info, results) {
  const out = [];
  out.push("");
  out.push(`Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GiB, ${info.os}; Node ${info.node}`);
  out.push(`MariaDB ${info.mariadb}; Redis ${info.redis}`);
  out.push(`CPU: ${info.pinning}; load average at start ${info.loadAverage}`);
  out.push(`Load: autocannon, ${CONNECTIONS} connections, pipelining 1, ${WARMUP} s warm-up + ${DURATION} s measured; every request a distinct, validly signed text message`);
  out.push("");
  out.push(
    table(
      ["target", "mode", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "non-2xx", "bad body", "server CPU", "loadgen CPU", "MariaDB CPU", "other CPU"],
      results.map((r) => [
        r.target,
        r.mode,
        fmt.int(r.requestsPerSecond),
        fmt.ms(r.p50),
        fmt.ms(r.p99),
        r.errors,
        r.timeouts,
        r.non2xx,
        r.badBodies,
        fmt.pct((r.server.cpuUserMs + r.server.cpuSystemMs) / r.server.wallMs),
        fmt.pct(r.loadgenElu),
        r.mariadbCpu === null ? "n/a" : fmt.pct(r.mariadbCpu),
        r.otherCpu === null ? "n/a" : fmt.pct(r.otherCpu),
      ]),
    ),
  );
  out.push("  CPU columns: share of one core during the measured run (server = the target process, loadgen = autocannon + signing,");
  out.push("  other = everything else on the machine; with 2 cores, server + loadgen + MariaDB + other ≤ 200%).");
  const busy = results.filter((r) => r.otherCpu !== null && r.otherCpu > OTHER_CPU_WARNING);
  if (busy.length > 0) {
    out.push(
      `  WARNING: other processes used more than ${fmt.pct(OTHER_CPU_WARNING)} of a core during ${busy.map((r) => `${r.target}/${r.mode}`).join(", ")}; ` +
        "those figures are depressed and the ratios unreliable — rerun on a quiet machine.",
    );
  }
  const stored = results.filter((r) => r.storage);
  if (stored.length > 0) {
    out.push("");
    out.push("Storage (warm-up + measured run; acknowledged = 200 `success` or a passive reply):");
    out.push("");
    out.push(
      table(
        ["mode", "generated", "acknowledged", "stored rows", "lost", "duplicates", "stored, not acked", "fans", "batches (mean size, mean ms)"],
        stored.map((r) => [
          r.mode,
          fmt.int(r.totalGenerated),
          fmt.int(r.storage.acked),
          fmt.int(r.storage.rows),
          r.storage.lost,
          r.storage.duplicates + r.storage.ackedTwice,
          r.storage.unacked,
          r.storage.fans,
          r.server.batches ? `${fmt.int(r.server.batches.count)} (${r.server.batches.meanSize}, ${r.server.batches.meanMs})` : "",
        ]),
      ),
    );
    out.push("  lost = acknowledged but not stored; duplicates = rows − distinct dedupe keys (+ a message acknowledged twice);");
    out.push("  stored, not acked = in flight when autocannon closed its sockets (≤ connections per run: warm-up and measured);");
    out.push("  batches = group-commit transactions of the InboxWriter during the measured run.");
  }

  out.push("");
  out.push("Ratios and targets (pipeline ≥ 50% of co-wechat req/s, p99 ≤ 50 ms, 0 errors, 0 lost/duplicated rows):");
  const verdicts = [];
  for (const mode of MODES) {
    const pick = (t) => results.find((r) => r.target === t && r.mode === mode);
    const pipeline = pick("pipeline");
    const coWechat = pick("co-wechat");
    const bare = pick("bare");
    if (!pipeline) continue;
    const parts = [];
    const checks = [];
    if (coWechat) {
      const ratio = pipeline.requestsPerSecond / coWechat.requestsPerSecond;
      parts.push(`pipeline/co-wechat ${ratio.toFixed(2)}`);
      checks.push([`≥ ${GOALS.minRatioToCoWechat} of co-wechat`, ratio >= GOALS.minRatioToCoWechat]);
    }
    if (bare) parts.push(`pipeline/bare ${(pipeline.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}`);
    checks.push([`p99 ${fmt.ms(pipeline.p99)} ms ≤ ${GOALS.maxP99Ms}`, pipeline.p99 <= GOALS.maxP99Ms]);
    const errors = pipeline.errors + pipeline.timeouts + pipeline.non2xx + pipeline.badBodies;
    checks.push([`${errors} errors`, errors === 0]);
    const s = pipeline.storage;
    const lostOrDup = s.lost + s.duplicates + s.ackedTwice + s.foreign;
    checks.push([`${s.lost} lost, ${s.duplicates + s.ackedTwice} duplicated${s.foreign ? `, ${s.foreign} foreign` : ""} rows`, lostOrDup === 0]);
    if (!coWechat) checks.push(["co-wechat not run: ratio not checked", true]);
    const pass = checks.every(([, ok]) => ok);
    verdicts.push({ mode, pass, checks });
    out.push(`  ${mode.padEnd(9)} ${parts.join(", ")}  →  ${pass ? "PASS" : "MISS"} (${checks.map(([label, ok]) => `${label} ${ok ? "✓" : "✗"}`).join("; ")})`);
  }
  for (const r of results) {
    if (r.firstBadBody) out.push(`  note: ${r.target}/${r.mode} answered unexpectedly, e.g. ${JSON.stringify(r.firstBadBody)}`);
  }
  out.push("");
  process.stdout.write(`${out.join("\n")}\n`);
  return verdicts;
}

async function main() {
  const info = await machine();
  process.stderr.write(`callback benchmark: ${MODES.join(" + ")} × ${TARGET_NAMES.join(", ")}; ${info.pinning}\n`);
  const results = [];
  for (const mode of MODES) {
    for (const target of TARGET_NAMES) results.push(await runTarget(target, mode));
  }
  const verdicts = report(info, results);
  if (process.env.BENCH_JSON) {
    const file = path.resolve(process.env.BENCH_JSON);
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), machine: info, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP, results, verdicts }, null, 2)}\n`,
    );
    process.stderr.write(`results written to ${file}\n`);
  }
}

async function cleanup() {
  for (const child of children) child.kill("SIGKILL");
  for (const step of cleanups.splice(0)) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${error.message}\n`);
    }
  }
}

process.on("SIGINT", () => {
  void cleanup().finally(() => process.exit(130));
});

let exitCode = 0;
try {
  await main();
} catch (error) {
  process.stderr.write(`\ncallback benchmark crashed: ${error.stack ?? error}\n`);
  exitCode = 1;
}
await cleanup();
process.exit(exitCode);
