// Benchmark: 1M rows (UInt64, String, Float64, Date) into JS values: our DB-API cursor's
// fetchall() against DuckDB's Node API getRows() on the same data, and against JSONEachRow
// output parsed with JSON.parse. Each timing includes running the query.
// Run: deno run -A bench/cursor_fetchall.ts   |   bun bench/cursor_fetchall.ts
import { DuckDBInstance } from "@duckdb/node-api";
import { dbapi } from "../mod.ts";
import { createBenchRows, ROWS } from "./cursor_data.ts";
import { median, runtimeName } from "./stats.ts";

const ROUNDS = 5;

const conn = dbapi.connect();
createBenchRows(conn);
const cursor = conn.cursor();

const duck = await (await DuckDBInstance.create(":memory:")).connect();
await duck.run(`CREATE TABLE bench_rows AS
  SELECT range::UBIGINT AS id, 'name_' || range AS name, range * 0.5 AS score,
         DATE '2000-01-01' + (range % 10000)::INTEGER AS day
  FROM range(${ROWS})`);

const contenders: Record<string, () => Promise<unknown[]>> = {
  "chdb-ffi cursor.fetchall()": () => Promise.resolve(cursor.execute("SELECT * FROM bench_rows").fetchall()),
  "chdb-ffi JSONEachRow + JSON.parse": () =>
    Promise.resolve(conn.query("SELECT * FROM bench_rows", "JSONEachRow").json<unknown[]>()),
  "DuckDB node-api getRows()": async () => (await duck.runAndReadAll("SELECT * FROM bench_rows")).getRows(),
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (const run of Object.values(contenders)) await run(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(contenders)) {
    const start = performance.now();
    const rows = await run();
    times[name].push(performance.now() - start);
    if (rows.length !== ROWS) throw new Error(`${name}: ${rows.length} rows`);
  }
}

const sample = cursor.execute("SELECT * FROM bench_rows WHERE id = 12345").fetchall()[0];
console.log(`# ${runtimeName()}: ${ROWS} rows (UInt64, String, Float64, Date), median of ${ROUNDS}, ms`);
console.log(`row 12345 as JS values: ${JSON.stringify(sample, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
const ours = median(times["chdb-ffi cursor.fetchall()"]);
for (const [name, t] of Object.entries(times)) {
  const m = median(t);
  console.log(`${name.padEnd(36)} ${m.toFixed(0).padStart(6)} ms   ${(m / ours).toFixed(2)}x of cursor.fetchall()`);
}
conn.close();
duck.closeSync();
