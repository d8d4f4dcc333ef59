// Benchmark: what the safety of issue 10 (items 1-3) costs, in process CPU time (user + system of
// every thread, engine threads included), which a loaded machine distorts far less than wall time.
//   register  conn.register() of 10M rows (UInt64, Utf8; 190 MB): a copy into native memory and
//             its check (first into fresh pages, then into the regions of earlier copies)
//   query     the GROUP BY of bench/arrow_scan.ts on the registered table, sync and queryAsync
//   result    conn.queryArrow() of 10M rows (UInt64, String), closed each time
// For an A/B, run it in two checkouts (e.g. main and a branch) alternately.
// Run: deno run -A bench/arrow_safety_cost.ts   |   bun bench/arrow_safety_cost.ts
import os from "node:os";
import process from "node:process";
import { connect } from "../mod.ts";
import { numbersTable } from "./numbers_table.ts";
import { median, runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

/** CPU ms and wall ms of one call. */
async function measure(fn: () => unknown): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

const show = (xs: { cpu: number; wall: number }[]) => {
  const cpu = xs.map((x) => x.cpu), wall = xs.map((x) => x.wall);
  return `CPU median ${median(cpu).toFixed(0)} (min ${Math.min(...cpu).toFixed(0)}) ms, wall median ${
    median(wall).toFixed(0)
  } (min ${Math.min(...wall).toFixed(0)}) ms`;
};

const conn = connect();
const table = numbersTable(ROWS);
const registers: { cpu: number; wall: number }[] = [];
for (let i = 0; i < 3; i++) {
  if (i > 0) conn.unregister("js");
  registers.push(await measure(() => conn.register("js", table)));
}
const SCAN = "SELECT a % 1000 AS k, count() AS n, sum(a) AS total, max(length(s)) AS longest FROM arrowstream('js') GROUP BY k ORDER BY k";
const RESULT = `SELECT number AS a, toString(number) AS s FROM numbers(${ROWS})`;
const sync: { cpu: number; wall: number }[] = [];
const async_: { cpu: number; wall: number }[] = [];
const results: { cpu: number; wall: number }[] = [];
const expected = conn.query(SCAN, "CSV").text();
for (let r = 0; r < ROUNDS; r++) {
  sync.push(await measure(() => {
    if (conn.query(SCAN, "CSV").text() !== expected) throw new Error("wrong result");
  }));
  async_.push(await measure(async () => {
    if ((await conn.queryAsync(SCAN, "CSV")).text() !== expected) throw new Error("wrong result");
  }));
  results.push(await measure(() => {
    using t = conn.queryArrow(RESULT);
    if (t.getChild("s")!.get(ROWS - 1) !== String(ROWS - 1)) throw new Error("wrong result");
  }));
}
conn.close();
console.log(`# ${runtimeName()}: ${ROWS.toLocaleString("en")} rows, ${ROUNDS} rounds, load average ${os.loadavg()[0].toFixed(1)}`);
console.log(`register(): ${registers.map((x) => `CPU ${x.cpu.toFixed(0)} ms, wall ${x.wall.toFixed(0)} ms`).join("; ")}`);
console.log(`query on the registered table: ${show(sync)}`);
console.log(`queryAsync on the registered table: ${show(async_)}`);
console.log(`queryArrow() + close(): ${show(results)}`);
