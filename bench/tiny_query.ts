// Benchmark: the cost of query("SELECT 1") through our API against a raw libchdb call from the
// same runtime in the same process, and SELECTs of 1M rows in CSV and JSONEachRow.
// Run: deno run -A bench/tiny_query.ts   |   bun bench/tiny_query.ts
import { connect } from "../mod.ts";
import { rawConnect } from "./raw_libchdb.ts";
import { median, runtimeName, timePerCall } from "./stats.ts";

const ROUNDS = 15;
const CALLS = 400;

const ours = connect();
const raw = rawConnect();
const viaApi = (sql: string, format: string) => ours.query(sql, format).bytes();

// warm up both paths (engine caches, JIT)
for (let i = 0; i < 300; i++) {
  viaApi("SELECT 1", "CSV");
  raw.query("SELECT 1", "CSV");
}

// A and B alternate round by round so that drift in machine speed hits both alike.
const apiMs: number[] = [];
const rawMs: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = timePerCall(() => viaApi("SELECT 1", "CSV"), CALLS);
  const b = timePerCall(() => raw.query("SELECT 1", "CSV"), CALLS);
  apiMs.push(a);
  rawMs.push(b);
  ratios.push(a / b);
}

console.log(`# ${runtimeName()}: query("SELECT 1"), ${ROUNDS} rounds x ${CALLS} calls, alternating`);
console.log(`our API        median ${(median(apiMs) * 1000).toFixed(1)} µs/query`);
console.log(`raw libchdb    median ${(median(rawMs) * 1000).toFixed(1)} µs/query`);
console.log(`overhead       median ${((median(ratios) - 1) * 100).toFixed(1)} % (per-round ratio API/raw)`);

for (const format of ["CSV", "JSONEachRow"]) {
  const sql = "SELECT number, toString(number) AS s, number * 0.5 AS f FROM numbers(1000000)";
  const api: number[] = [];
  const base: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 5; r++) {
    api.push(timePerCall(() => (bytes = viaApi(sql, format).length), 1));
    base.push(timePerCall(() => raw.query(sql, format), 1));
  }
  console.log(
    `1M rows ${format.padEnd(11)} our API ${median(api).toFixed(1)} ms, raw ${median(base).toFixed(1)} ms ` +
      `(${(bytes / 1e6).toFixed(1)} MB)`,
  );
}

ours.close();
raw.close();
