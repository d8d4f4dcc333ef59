// Benchmark: 10M rows (UInt64, String) built in JS as an apache-arrow Table, registered with
// conn.register() (scanned in place by the engine) and aggregated with GROUP BY, against the same
// query on the same rows in a native Memory table. Rounds alternate between the two. Two more
// queries split the work by column (only the UInt64, only the String) to show where time goes.
// The main query also runs through queryAsync() on the registered table (same rounds), to show
// what off-thread reads of registered data cost against the synchronous call.
// Run: deno run -A bench/arrow_scan.ts   |   bun bench/arrow_scan.ts
import process from "node:process";
import { connect } from "../mod.ts";
import { numbersTable } from "./numbers_table.ts";
import { median, runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
// The columns are declared non-nullable so that the engine sees the Memory table's types
// (UInt64, String); NULLABLE=1 keeps apache-arrow's default (Nullable(UInt64), Nullable(String)).
const NULLABLE = process.env.NULLABLE === "1";

const conn = connect();
let start = performance.now();
const table = numbersTable(ROWS, NULLABLE);
const buildMs = performance.now() - start;
start = performance.now();
conn.register("js", table);
const registerMs = performance.now() - start;
conn.query(`CREATE TABLE native_mem (a UInt64, s String) ENGINE = Memory`);
conn.query(`INSERT INTO native_mem SELECT number, toString(number) FROM numbers(${ROWS})`);

// The benchmark's query, and two that split it by column, to show where the difference lies.
const QUERIES: Record<string, (source: string) => string> = {
  "a and s": (source) =>
    `SELECT a % 1000 AS k, count() AS n, sum(a) AS total, max(length(s)) AS longest FROM ${source} GROUP BY k ORDER BY k`,
  "a only": (source) => `SELECT a % 1000 AS k, count() AS n, sum(a) AS total FROM ${source} GROUP BY k ORDER BY k`,
  "s only": (source) => `SELECT length(s) AS k, count() AS n FROM ${source} GROUP BY k ORDER BY k`,
};
const run = (query: (source: string) => string, source: string) => {
  const t0 = performance.now();
  const text = conn.query(query(source), "CSV").text();
  const ms = performance.now() - t0;
  return { ms, text };
};

const runAsync = async (query: (source: string) => string, source: string) => {
  const t0 = performance.now();
  const text = (await conn.queryAsync(query(source), "CSV")).text();
  return { ms: performance.now() - t0, text };
};

const results: Record<string, { js: number[]; mem: number[]; ratios: number[] }> = {};
const asyncMs: number[] = [];
const syncMs: number[] = [];
for (const [name, query] of Object.entries(QUERIES)) {
  if (run(query, "arrowstream('js')").text !== run(query, "native_mem").text) {
    throw new Error(`${name}: registered table and Memory table disagree`);
  }
  results[name] = { js: [], mem: [], ratios: [] };
}
if ((await runAsync(QUERIES["a and s"], "arrowstream('js')")).text !== run(QUERIES["a and s"], "native_mem").text) {
  throw new Error("queryAsync on the registered table disagrees");
}
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, query] of Object.entries(QUERIES)) {
    const a = run(query, "arrowstream('js')").ms;
    const b = run(query, "native_mem").ms;
    results[name].js.push(a);
    results[name].mem.push(b);
    results[name].ratios.push(a / b);
  }
  asyncMs.push((await runAsync(QUERIES["a and s"], "arrowstream('js')")).ms);
  syncMs.push(run(QUERIES["a and s"], "arrowstream('js')").ms);
}
conn.query("DROP TABLE native_mem");
conn.unregister("js");
conn.close();

console.log(
  `# ${runtimeName()}: GROUP BY over ${ROWS.toLocaleString("en")} rows (UInt64, String${
    NULLABLE ? ", JS columns Nullable" : ""
  }), ${ROUNDS} rounds alternating`,
);
console.log(`build the JS Arrow table ${buildMs.toFixed(0)} ms; register() ${registerMs.toFixed(1)} ms`);
const list = (ms: number[]) => ms.map((x) => x.toFixed(0)).join(", ");
console.log(`a and s on the registered table: queryAsync median ${median(asyncMs).toFixed(0)} ms (${list(asyncMs)}), query median ${median(syncMs).toFixed(0)} ms (${list(syncMs)})`);
for (const [name, { js, mem, ratios }] of Object.entries(results)) {
  console.log(`${name}: registered JS table median ${median(js).toFixed(0)} ms (${list(js)})`);
  console.log(`${name}: native Memory table median ${median(mem).toFixed(0)} ms (${list(mem)})`);
  console.log(`${name}: ratio JS/native median ${median(ratios).toFixed(2)}x (per-round ratios)`);
}
