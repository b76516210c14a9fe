"use strict";
// The parent talks to a target over stdin/stdout, one line each way:
//   child → parent: `BENCH_PORT=<port>` once listening, `BENCH_STATS=<json>` after each `stats` command.
//   parent → child: `reset` (start a new measuring window), `stats`, `close` (shut down and exit 0).
// Anything else a target prints (logs) is passed through by the parent.
const { performance } = require("node:perf_hooks");

/**
 * @param {{ port: number, close: () => Promise<void>, extraStats?: () => object, resetExtra?: () => void }} target
 */
function serve(target) {
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let since = performance.now();
  const reset = () => {
    elu = performance.eventLoopUtilization();
    cpu = process.cpuUsage();
    since = performance.now();
    if (target.resetExtra) target.resetExtra();
  };
  let closing = false;
  const close = async (code) => {
    if (closing) return;
    closing = true;
    try {
      await target.close();
    } catch (error) {
      console.error("close failed:", error);
      code = 1;
    }
    process.exit(code);
  };

  let buffered = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const command = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (command === "reset") reset();
      else if (command === "stats") {
        const wallMs = performance.now() - since;
        const used = process.cpuUsage(cpu);
        const stats = {
          wallMs: Math.round(wallMs),
          eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
          cpuUserMs: Math.round(used.user / 1000),
          cpuSystemMs: Math.round(used.system / 1000),
          rssMb: Math.round(process.memoryUsage().rss / 1048576),
          ...(target.extraStats ? target.extraStats() : {}),
        };
        process.stdout.write(`BENCH_STATS=${JSON.stringify(stats)}\n`);
      } else if (command === "close") void close(0);
    }
  });
  // The parent went away (crash, Ctrl-C): do not linger as an orphan holding the port and the database.
  process.stdin.on("end", () => void close(0));
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void close(0));

  process.stdout.write(`BENCH_PORT=${target.port}\n`);
}

module.exports = { serve };
