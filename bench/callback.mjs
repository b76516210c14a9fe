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
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  deleteKeys,
  describeMachine,
  dropDatabase,
  machineBusySeconds,
  mariadbCpuSeconds,
  pinLoadGenerator,
  startTarget as startChild,
  table,
  waitForQuiet,
  withTimeout,
} from "./lib/machine.mjs";
import { createMessageGenerator, fanPool } from "./lib/messages.mjs";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const mysql = require("mysql2/promise");

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
/** Seconds to wait, before each target, for other jobs on the machine to go quiet. */
const QUIET_WAIT = Number(process.env.BENCH_QUIET_WAIT ?? 60);
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

/** Other jobs using more than this share of a core during a run make its figures suspect. */
const OTHER_CPU_WARNING = 0.1;

// Targets from the issue.
const GOALS = { minRatioToCoWechat: 0.5, maxP99Ms: 50 };

const cleanups = [];
const children = new Set();

// ---------------------------------------------------------------------------------------------------------
// Target processes.

/** Starts a target on core 1 (bench/lib/machine.mjs) in the given callback mode. */
async function startTarget(name, mode, env = {}) {
  const nodeArgs = [];
  if (CPU_PROF && name === "pipeline") {
    const dir = path.join(here, "profiles");
    mkdirSync(dir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=pipeline-${mode}-${Date.now()}.cpuprofile`);
  }
  return startChild({ name, script: path.join(here, TARGETS[name].script), cwd: root, env: { ...env, BENCH_MODE: mode }, onCrash: crashed, children, nodeArgs });
}

let crash = null;
/** A target dying mid-run is a crash of the benchmark (exit 1), not a missed target. */
function crashed(error) {
  crash ??= error;
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

async function runTarget(target, mode) {
  const stores = Boolean(TARGETS[target].stores);
  const suffix = `${mode}_${randomBytes(4).toString("hex")}`;
  const env = {};
  let database = null;
  if (stores) {
    database = `shuiwu_bench_${suffix}`;
    const kvPrefix = `shuiwu-bench-${suffix}:`;
    Object.assign(env, { BENCH_DB: database, BENCH_MYSQL: MYSQL_URL, BENCH_REDIS: REDIS_URL, BENCH_KV_PREFIX: kvPrefix });
    cleanups.push(() => dropDatabase(MYSQL_URL, database), () => deleteKeys(REDIS_URL, kvPrefix));
  }

  process.stderr.write(`${mode.padEnd(9)} ${target.padEnd(9)} `);
  const waited = await waitForQuiet(QUIET_WAIT);
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

// ---------------------------------------------------------------------------------------------------------
// Report.

const fmt = {
  int: (n) => Math.round(n).toLocaleString("en-US"),
  ms: (n) => (n >= 10 ? n.toFixed(0) : n.toFixed(1)),
  pct: (n) => `${Math.round(n * 100)}%`,
};

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
  const info = await describeMachine({ mysqlUrl: MYSQL_URL, redisUrl: REDIS_URL, pinningText: pinLoadGenerator() });
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
