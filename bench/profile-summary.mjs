#!/usr/bin/env node
// Summarises a .cpuprofile (from BENCH_CPU_PROF=1): self time by function and by package/file, and the
// inclusive time of a few pipeline stages. Usage: node bench/profile-summary.mjs bench/profiles/<file> [top]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas.
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const where = (cf) => {
  const url = cf.url || "";
  if (!url) return cf.functionName.startsWith("(") ? cf.functionName : "(native/builtin)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + 13).split("/").slice(0, url.slice(nm + 13).startsWith("@") ? 2 : 1).join("/");
  if (url.startsWith("node:")) return url;
  const dist = url.indexOf("/server/dist/");
  if (dist >= 0) return `server/dist/${url.slice(dist + 13)}`;
  const bench = url.indexOf("/bench/");
  return bench >= 0 ? url.slice(bench + 1) : url;
};

const byFunction = new Map();
const byPlace = new Map();
for (const [id, t] of self) {
  const cf = nodes.get(id).callFrame;
  const fn = `${cf.functionName || "(anonymous)"}  ${where(cf)}:${cf.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  const place = where(cf);
  byPlace.set(place, (byPlace.get(place) ?? 0) + t);
}

// Inclusive time of stages: a sample counts once for a stage if any ancestor frame matches.
const stages = {
  "xml2js parse (parseXml)": (cf) => cf.functionName === "parseXml",
  "raw-body read": (cf) => cf.functionName === "getRawBody" || cf.functionName === "readStream",
  "InboxWriter.flush (incl. typeorm/mysql2 calls made from it)": (cf) => cf.functionName === "store" && /inboxWriter/.test(cf.url),
  "typeorm (any)": (cf) => /node_modules\/typeorm\//.test(cf.url),
  "mysql2 (any)": (cf) => /node_modules\/mysql2\//.test(cf.url),
  "pino (any)": (cf) => /node_modules\/pino/.test(cf.url),
  "koa + @koa/router (any)": (cf) => /node_modules\/(koa|@koa)\//.test(cf.url),
  "crypto decrypt (WechatCipher)": (cf) => cf.functionName === "decrypt" && /crypto\.js/.test(cf.url),
  "garbage collector": (cf) => cf.functionName === "(garbage collector)",
};
const stageTime = Object.fromEntries(Object.keys(stages).map((k) => [k, 0]));
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const hit = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = nodes.get(cur).callFrame;
    for (const [name, test] of Object.entries(stages)) if (!hit.has(name) && test(cf)) hit.add(name);
  }
  for (const name of hit) stageTime[name] += dt;
});

const idle = [...self].filter(([id]) => nodes.get(id).callFrame.functionName === "(idle)").reduce((a, [, t]) => a + t, 0);
const busy = total - idle;
const pct = (t) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)\n`);
console.log("Self time by package / file:");
for (const [k, t] of [...byPlace].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${k}`);
console.log("\nSelf time by function:");
for (const [k, t] of [...byFunction].filter(([k]) => !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(t)}  ${k}`);
console.log("\nInclusive time by stage:");
for (const [k, t] of Object.entries(stageTime)) console.log(`  ${pct(t)}  ${k}`);
