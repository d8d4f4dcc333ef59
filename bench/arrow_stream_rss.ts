// Benchmark: streamArrow() over 100M rows (UInt64, String), reading every batch; peak RSS is
// sampled after each batch. For contrast, the RSS a whole 10M-row queryArrow() table needs.
// Run: deno run -A bench/arrow_stream_rss.ts   |   bun bench/arrow_stream_rss.ts
import process from "node:process";
import { connect } from "../mod.ts";
import { runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 100_000_000);
const MB = 1024 * 1024;
const rss = () => process.memoryUsage.rss();

const conn = connect();
conn.query("SELECT 1"); // engine started before the baseline
const baseline = rss();
let peak = baseline;
let rows = 0;
let batches = 0;
let last = 0n;
const start = performance.now();
for (const batch of conn.streamArrow(`SELECT number AS a, toString(number) AS s FROM numbers(${ROWS})`)) {
  rows += batch.numRows;
  batches++;
  last = batch.getChild("a")!.get(batch.numRows - 1) as bigint;
  peak = Math.max(peak, rss());
}
const seconds = (performance.now() - start) / 1000;
if (rows !== ROWS || last !== BigInt(ROWS - 1)) throw new Error("wrong row count");

const before = rss();
let tablePeak = before;
{
  using t = conn.queryArrow("SELECT number AS a, toString(number) AS s FROM numbers(10000000)");
  tablePeak = Math.max(tablePeak, rss());
  if (t.numRows !== 10_000_000) throw new Error("wrong row count");
}
conn.close();

console.log(`# ${runtimeName()}: streamArrow over ${ROWS.toLocaleString("en")} rows (UInt64, String)`);
console.log(`${batches} batches in ${seconds.toFixed(1)} s (${(ROWS / seconds / 1e6).toFixed(0)} M rows/s)`);
console.log(
  `RSS before ${(baseline / MB).toFixed(0)} MB, peak while streaming ${(peak / MB).toFixed(0)} MB (+${
    ((peak - baseline) / MB).toFixed(0)
  } MB)`,
);
console.log(`contrast: one 10M-row queryArrow() table: +${((tablePeak - before) / MB).toFixed(0)} MB RSS`);
