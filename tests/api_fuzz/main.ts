// The JS-API fuzzer's entry: runs seeds, prints each finding with its seed and last steps, exits 1
// if there was one. `FUZZ_SEEDS=1-200` (or `7,9`), `FUZZ_OPS=300` steps per seed, `FUZZ_MINUTES=10`
// (repeat fresh seed ranges until then), `FUZZ_TIMEOUT_MS` for a hang. Run it long with e.g.
//   FUZZ_SEEDS=1-100000 FUZZ_MINUTES=10 deno run -A tests/api_fuzz/main.ts   (also bun, node on dist/)
// `FUZZ_LOG_STEPS=400` prints more of the steps before a finding (default 40). Each seed runs a
// sequence of the whole API, then one of @clickhouse/client on the engine alone
// (`FUZZ_CLIENT_OPS` steps, default FUZZ_OPS; 0 skips it; `FUZZ_API_OPS=0` skips the first;
// `FUZZ_CLIENT_SEEDS` limits the client sequences to those seeds).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runSequence } from "./sequence.ts";

function seeds(spec: string): number[] {
  return spec.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

const env = process.env;
const list = seeds(env.FUZZ_SEEDS ?? "1-10");
const clientSeeds = new Set(env.FUZZ_CLIENT_SEEDS === undefined ? list : seeds(env.FUZZ_CLIENT_SEEDS));
const ops = Number(env.FUZZ_OPS ?? 200);
const apiOps = Number(env.FUZZ_API_OPS ?? ops);
const clientOps = Number(env.FUZZ_CLIENT_OPS ?? ops);
const minutes = Number(env.FUZZ_MINUTES ?? 0);
const timeoutMs = Number(env.FUZZ_TIMEOUT_MS ?? 30_000);
const deadline = Date.now() + minutes * 60_000;
const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-apifuzz-"));
let failed = 0;
let ran = 0;
let totalOps = 0;
const started = Date.now();
const outcomes = new Map<string, number>();
for (const seed of list) {
  if (minutes > 0 && Date.now() > deadline) break;
  console.error(`seed ${seed}`); // a crash ends the process: the last of these names its seed
  let found = false;
  for (const [kind, n] of [["api", apiOps], ["client", clientOps]] as const) {
    if (n === 0 || (kind === "client" && !clientSeeds.has(seed))) continue;
    const r = await runSequence(seed, n, dir, timeoutMs, kind);
    totalOps += n;
    for (const [k, c] of r.outcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + c);
    if (r.findings.length) {
      found = true;
      const replay = kind === "api" ? `FUZZ_CLIENT_OPS=0 FUZZ_OPS=${n}` : `FUZZ_API_OPS=0 FUZZ_CLIENT_OPS=${n}`;
      console.log(`FINDING seed=${seed} ${kind} ops=${n} (replay: FUZZ_SEEDS=${seed} ${replay})`);
      for (const f of r.findings) console.log(`  ${f}`);
      console.log("  last steps:\n    " + r.log.join("\n    "));
    }
  }
  ran++;
  if (found) failed++;
}
console.log(`outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")}`);
rmSync(dir, { recursive: true, force: true });
console.log(
  `api fuzz: ${ran} seeds, ${totalOps} ops, ${failed} with findings, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failed ? 1 : 0);
