// Benchmark: 10M rows (UInt64, String) built in JS as an apache-arrow Table, registered with
// conn.register() (scanned in place by the engine) and aggregated with GROUP BY, against the same
// query on the same rows in a native Memory table. Rounds alternate between the two.
// Run: deno run -A bench/arrow_scan.ts   |   bun bench/arrow_scan.ts
import process from "node:process";
import { makeData, makeTable, Uint64, Utf8 } from "apache-arrow";
import { connect } from "../mod.ts";
import { median, runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

/** Columns a = 0..ROWS-1 and s = the decimal text of a, built directly as Arrow buffers. */
function jsTable() {
  const a = new BigUint64Array(ROWS);
  const offsets = new Int32Array(ROWS + 1);
  const bytes = new Uint8Array(ROWS * 8);
  let pos = 0;
  for (let i = 0; i < ROWS; i++) {
    a[i] = BigInt(i);
    const text = String(i);
    for (let j = 0; j < text.length; j++) bytes[pos++] = text.charCodeAt(j);
    offsets[i + 1] = pos;
  }
  const aData = makeData({ type: new Uint64(), length: ROWS, data: a });
  const sData = makeData({ type: new Utf8(), length: ROWS, valueOffsets: offsets, data: bytes.subarray(0, pos) });
  return makeTable({ a: aData, s: sData } as never);
}

const conn = connect();
let start = performance.now();
const table = jsTable();
const buildMs = performance.now() - start;
start = performance.now();
conn.register("js", table);
const registerMs = performance.now() - start;
conn.query(`CREATE TABLE native_mem (a UInt64, s String) ENGINE = Memory`);
conn.query(`INSERT INTO native_mem SELECT number, toString(number) FROM numbers(${ROWS})`);

const aggregate = (source: string) =>
  `SELECT a % 1000 AS k, count() AS n, sum(a) AS total, max(length(s)) AS longest FROM ${source} GROUP BY k ORDER BY k`;
const run = (source: string) => {
  const t0 = performance.now();
  const text = conn.query(aggregate(source), "CSV").text();
  const ms = performance.now() - t0;
  return { ms, text };
};

const expected = run("native_mem").text;
if (run("arrowstream('js')").text !== expected) throw new Error("registered table and Memory table disagree");
const js: number[] = [];
const mem: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = run("arrowstream('js')").ms;
  const b = run("native_mem").ms;
  js.push(a);
  mem.push(b);
  ratios.push(a / b);
}
conn.query("DROP TABLE native_mem");
conn.unregister("js");
conn.close();

console.log(
  `# ${runtimeName()}: GROUP BY over ${ROWS.toLocaleString("en")} rows (UInt64, String), ${ROUNDS} rounds alternating`,
);
console.log(`build the JS Arrow table ${buildMs.toFixed(0)} ms; register() ${registerMs.toFixed(1)} ms (no copy)`);
console.log(`registered JS table  median ${median(js).toFixed(0)} ms  (${js.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`native Memory table  median ${median(mem).toFixed(0)} ms  (${mem.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`ratio JS/native      median ${median(ratios).toFixed(2)}x (per-round ratios)`);
