// Runs every soak case of bench/soak.ts, each in a fresh process of this runtime, and prints a
// Markdown table for bench/README.md.
//   deno run -A bench/soak_all.ts   |   bun bench/soak_all.ts   |   node dist/node-tests/bench/soak_all.js
// SCALE=0.2 runs a fifth of each count.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const versions = process.versions as Record<string, string>;
const runtime = versions.bun ? "bun" : versions.deno ? "deno" : "node";
const script = join(here, runtime === "node" ? "soak.js" : "soak.ts");
const args = runtime === "deno" ? ["run", "-A", "--v8-flags=--expose-gc", script] : runtime === "node" ? ["--expose-gc", script] : [script];
const scale = Number(process.env.SCALE ?? 1);
const cases: [string, number][] = [
  ["queries", 10_000],
  ["connects", 1000],
  ["sessions-held", 1000],
  ["sessions-same", 1000],
  ["sessions-temporary", 1000],
  ["sessions-reboot", 200],
  ["dropped-arrow", 100],
  ["dropped-streams", 1000],
];

console.log(`# soak, ${runtime} ${versions[runtime]}\n`);
console.log("| case | ops | RSS start MB | RSS end MB | growth MB | slope MB/1000 ops (whole, 2nd half) | s | ms/op |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [name, count] of cases) {
  const n = Math.max(10, Math.round(count * scale));
  const r = spawnSync(process.execPath, [...args, name, String(n)], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) {
    console.log(`| ${name} | failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-1)[0]} |`);
    continue;
  }
  const x = JSON.parse(last);
  const ops = x.stoppedEarly ? `${x.count} of ${n} (stopped: +2 GB)` : String(x.count);
  console.log(
    `| ${name} | ${ops} | ${x.rssStartMB} | ${x.rssEndMB} | ${x.growthMB} | ${x.slopeMBPer1000}, ${x.lateSlopeMBPer1000} | ${x.seconds} | ${x.msPerOp} |`,
  );
}
