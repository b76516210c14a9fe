// Shared plumbing for benchmarks that run a target in a child process (bench/targets/*.cjs, protocol in
// bench/targets/control.cjs): CPU pinning, CPU accounting from /proc, waiting for a quiet machine, the machine
// description, printed tables, and removing a run's database and Redis keys. Used by bench/callback.mjs and
// bench/realtime.mjs.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { performance } from "node:perf_hooks";
import readline from "node:readline";

const require = createRequire(import.meta.url);
const mysql = require("mysql2/promise");
const Redis = require("ioredis");

// ---------------------------------------------------------------------------------------------------------
// CPU placement: the calling process (load generator) on core 0, targets on core 1.

export const hasTaskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
export const cores = os.cpus().length;
export const pinning = hasTaskset && cores >= 2;

/** Pins this process to core 0 (when pinning is possible) and says how everything is placed. */
export function pinLoadGenerator() {
  if (pinning) spawnSync("taskset", ["-pc", "0", String(process.pid)], { stdio: "ignore" });
  return pinning
    ? "load generator on core 0 (taskset -p), the server on core 1 (taskset -c 1); MariaDB and Redis unpinned"
    : hasTaskset
      ? "not pinned (fewer than 2 cores)"
      : "not pinned (no taskset)";
}

// ---------------------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; null elsewhere).

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

function pidOf(names) {
  for (const name of names) {
    const found = spawnSync("pidof", [name], { encoding: "utf8" });
    const pid = Number(found.stdout?.trim().split(/\s+/)[0]);
    if (found.status === 0 && pid > 0) return pid;
  }
  return null;
}
const mariadbPid = pidOf(["mariadbd", "mysqld"]);
const redisPid = pidOf(["redis-server"]);

function processCpuSeconds(pid) {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime
  } catch {
    return null;
  }
}
/** Seconds of CPU MariaDB has used so far, or null. */
export const mariadbCpuSeconds = () => processCpuSeconds(mariadbPid);
/** Seconds of CPU Redis has used so far, or null. */
export const redisCpuSeconds = () => processCpuSeconds(redisPid);

/** Busy CPU seconds of the whole machine so far (all cores, /proc/stat), or null off Linux. */
export function machineBusySeconds() {
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

/** A machine busier than this (cores, averaged over a second) is not quiet. */
export const QUIET_BUSY_CORES = 0.15;

/**
 * Other jobs on a 2-core machine distort every figure: wait (up to `limitSeconds`) for a second in which the
 * machine is mostly idle. Returns the seconds waited (0 when it was quiet at once or waiting is off).
 */
export async function waitForQuiet(limitSeconds) {
  if (machineBusySeconds() === null || !(limitSeconds > 0)) return 0;
  const started = performance.now();
  for (;;) {
    const before = machineBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = machineBusySeconds() - before;
    const waited = (performance.now() - started) / 1000;
    if (busy <= QUIET_BUSY_CORES || waited >= limitSeconds) return waited > 1.5 ? waited : 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The machine.

export async function describeMachine({ mysqlUrl, redisUrl, pinningText }) {
  const info = {
    cpu: os.cpus()[0]?.model?.trim() ?? "unknown",
    cores,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(" "),
    pinning: pinningText,
  };
  const connection = await mysql.createConnection(mysqlUrl);
  try {
    const [[version]] = await connection.query("SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b");
    info.mariadb = `${version.v} (innodb_flush_log_at_trx_commit=${version.f}, buffer pool ${Math.round(Number(version.b) / 2 ** 20)} MiB)`;
  } finally {
    await connection.end();
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    info.redis = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown";
  } finally {
    redis.disconnect();
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------
// Target processes (protocol: bench/targets/control.cjs).

/**
 * Starts `script` (pinned to core 1 when possible; `nodeArgs` go to node, e.g. --cpu-prof) and resolves once it printed `BENCH_PORT=`. Lines
 * `BENCH_<NAME>=<json>` other than PORT and STATS are collected in `values` (resolved with the port); anything
 * else is passed through to stderr. `onCrash` hears about an unexpected exit.
 */
export async function startTarget({ name, script, cwd, env, onCrash, children, nodeArgs = [] }) {
  const command = pinning ? "taskset" : process.execPath;
  const args = pinning ? ["-c", "1", process.execPath, ...nodeArgs, script] : [...nodeArgs, script];
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);

  let passedThrough = 0;
  let suppressed = 0;
  const passThrough = (line) => {
    if (passedThrough++ < 20) process.stderr.write(`  [${name}] ${line}\n`);
    else suppressed++;
  };
  const values = {};
  let statsWaiter = null;
  let portResolve;
  let portReject;
  const port = new Promise((resolve, reject) => {
    portResolve = resolve;
    portReject = reject;
  });
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    const match = /^BENCH_([A-Z_]+)=(.*)$/.exec(line);
    if (!match) return passThrough(line);
    const [, key, value] = match;
    if (key === "PORT") portResolve(Number(value));
    else if (key === "STATS" && statsWaiter) {
      const waiter = statsWaiter;
      statsWaiter = null;
      waiter.resolve(JSON.parse(value));
    } else values[key] = JSON.parse(value);
  });
  readline.createInterface({ input: child.stderr }).on("line", passThrough);

  let expectedExit = false;
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (suppressed > 0) process.stderr.write(`  [${name}] … ${suppressed} more output lines suppressed\n`);
      const error = new Error(`${name} exited with ${signal ?? `code ${code}`}${expectedExit ? "" : " unexpectedly"}`);
      portReject(error);
      if (statsWaiter) statsWaiter.reject(error);
      if (!expectedExit || code !== 0) onCrash(error);
      resolve({ code, signal });
    });
  });

  const send = (command) => child.stdin.write(`${command}\n`);
  return {
    name,
    pid: child.pid,
    port: await withTimeout(port, 120_000, `${name} did not start listening`),
    values,
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

export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// Clean-up of a run's storage.

export async function dropDatabase(mysqlUrl, database) {
  const connection = await mysql.createConnection(mysqlUrl);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

export async function deleteKeys(redisUrl, prefix) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
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
// Figures and tables.

/** Nearest-rank percentiles of a list of numbers (ms). */
export function percentiles(values) {
  if (values.length === 0) return { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, mean: sum / sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString("en-US"),
  ms: (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : "n/a"),
  pct: (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : "n/a"),
};

export function table(headers, rows, align = []) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (c, i) => (align[i] === "right" ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]));
  const line = (cells) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (align[i] === "right" ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
