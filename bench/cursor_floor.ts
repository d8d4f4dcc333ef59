// Where cursor.fetchall()'s time goes: the query alone (the Arrow buffers the shim builds, which
// the cursor reads, and RowBinary, its fallback), the whole fetchall(), decodeRows() on RowBinary,
// and the allocation floor: building the same JS values (bigint, short string, number, Date in
// 1M row arrays) in a plain loop without decoding anything. The JSON baseline is the one of
// bench/cursor_fetchall.ts.
// Run: deno run -A bench/cursor_floor.ts   |   bun bench/cursor_floor.ts
import { dbapi } from "../mod.ts";
import { decodeRows, ROWS_FORMAT, rowSourceOf } from "./internals.ts";
import { createBenchRows, ROWS } from "./cursor_data.ts";
import { median, runtimeName } from "./stats.ts";

const ROUNDS = 9;
const DAY_MS = 86_400_000;

const conn = dbapi.connect();
createBenchRows(conn);
const SQL = "SELECT * FROM bench_rows";
const text = Array.from({ length: 64 }, (_, k) => `name_${k}`).join("") + "x".repeat(64);

const cursor = conn.cursor();
const contenders: Record<string, () => unknown> = {
  "query only (Arrow buffers with types)": () => rowSourceOf(conn).rows(SQL).table?.close(),
  "cursor.fetchall()": () => cursor.execute(SQL).fetchall(),
  "query only (RowBinary bytes)": () => conn.query(SQL, ROWS_FORMAT).bytes(),
  "query + decodeRows()": () => decodeRows(conn.query(SQL, ROWS_FORMAT).bytes()),
  "floor: [bigint, string, number, Date]": () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < ROWS; i++) {
      rows[i] = [BigInt(i), text.substring(i & 63, (i & 63) + 10), i * 0.5, new Date((10957 + i % 10000) * DAY_MS)];
    }
    return rows;
  },
  "floor with the day as a number": () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < ROWS; i++) rows[i] = [BigInt(i), text.substring(i & 63, (i & 63) + 10), i * 0.5, 10957 + i % 10000];
    return rows;
  },
  "1M Dates alone, one per row": () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < ROWS; i++) rows[i] = [new Date((10957 + i % 10000) * DAY_MS)];
    return rows;
  },
  "JSONEachRow + JSON.parse": () => conn.query(SQL, "JSONEachRow").json(),
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
let keep: unknown;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(contenders)) {
    const start = performance.now();
    keep = run();
    times[name].push(performance.now() - start);
    keep = null;
  }
}
void keep;
console.log(`# ${runtimeName()}: ${ROWS} rows, median (min) of ${ROUNDS}, ms`);
for (const [name, t] of Object.entries(times)) {
  console.log(`${name.padEnd(40)} ${median(t).toFixed(0).padStart(6)} (${Math.min(...t).toFixed(0)})`);
}
conn.close();
