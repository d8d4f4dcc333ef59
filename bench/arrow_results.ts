// Benchmark: 10M rows of (UInt64, String) into an apache-arrow Table.
//   ours      conn.queryArrow(): the engine streams its Native format, the shim builds the Arrow
//             C Data Interface buffers (native/native_arrow.cpp) while the engine produces the
//             next block, TS wraps them as zero-copy views (src/arrow/)
//   engine    conn.queryArrow(sql, { stats: true }): the engine's own Arrow export
//             (chdb_query_arrow_n, which collects every block and then converts them all; it
//             reports the query metrics), the same zero-copy views
//   ipc       ArrowStream bytes viewed in place (no copy) + apache-arrow tableFromIPC
//   chdb-node npm `chdb`: queryAsync(sql, { format: "arrow" }).toArrow(), in a child process
//   json      JSONEachRow text + JSON.parse per line
// For reference, `FORMAT Null`: the engine running the same query with no output at all.
// Every path ends with a Table/rows whose last row was read. Rounds alternate between paths.
// Run: deno run -A bench/arrow_results.ts   |   bun bench/arrow_results.ts
import { spawnSync } from "node:child_process";
import process from "node:process";
import { tableFromIPC } from "apache-arrow";
import { Connection } from "../mod.ts";
import { native, ResultSlots } from "./internals.ts";
import { median, runtimeName } from "./stats.ts";

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const JSON_ROUNDS = Number(process.env.JSON_ROUNDS ?? 1);
const SQL = `SELECT number AS a, toString(number) AS s FROM numbers(${ROWS})`;
const INT_SQL = `SELECT number AS a FROM numbers(${ROWS})`;
const IPC_SETTINGS = " SETTINGS output_format_arrow_compression_method='none', output_format_arrow_string_as_string=1";

// A subclass may use the connection's native handle (protected handle()) for the IPC path's raw call.
class HandleConnection extends Connection {
  nativeHandle() {
    return this.handle();
  }
}
const conn = new HandleConnection();
const lib = native();
const handle = conn.nativeHandle();

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function check(t: { numRows: number; getChild(name: string): { get(i: number): unknown } | null }, sql: string): void {
  const ok = t.numRows === ROWS && t.getChild("a")!.get(ROWS - 1) === BigInt(ROWS - 1) &&
    (sql === INT_SQL || t.getChild("s")!.get(ROWS - 1) === String(ROWS - 1));
  if (!ok) throw new Error("wrong result");
}

function ours(sql = SQL): void {
  using t = conn.queryArrow(sql);
  check(t, sql);
}

function engine(sql = SQL): void {
  using t = conn.queryArrow(sql, { stats: true });
  check(t, sql);
}

// ArrowStream through the shim's plain query path, its output viewed in place (no copy).
const slots = new ResultSlots();
function ipc(text = SQL): void {
  const sql = new TextEncoder().encode(text + IPC_SETTINGS);
  const format = new TextEncoder().encode("ArrowStream");
  const status = lib.fn.chffi_query(handle, sql, sql.length, format, format.length, new Uint8Array(0), 0, slots.out, slots.info, slots.error);
  slots.check(status);
  const result = lib.pointer(slots.out[0]);
  try {
    const view = lib.view(slots.info[0], Number(slots.info[1]));
    check(tableFromIPC(new Uint8Array(view)), text);
    view.transfer(0);
  } finally {
    lib.fn.chffi_result_free(result);
  }
}

function engineAlone(): void {
  conn.query(SQL, "Null");
}

function json(): void {
  const text = conn.query(SQL, "JSONEachRow").text();
  const rows = text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  if (rows.length !== ROWS || rows[ROWS - 1].s !== String(ROWS - 1)) throw new Error("json: wrong result");
}

function chdbNode(rounds: number): number[] {
  const file = new URL("./arrow_chdb_node.ts", import.meta.url).pathname;
  const isBun = "Bun" in globalThis;
  const args = isBun ? [file, SQL, String(rounds)] : ["run", "-A", file, SQL, String(rounds)];
  const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  const line = child.stdout.trim().split("\n").pop() ?? "";
  try {
    const { ms, rows } = JSON.parse(line);
    if (rows !== ROWS) throw new Error(`chdb-node returned ${rows} rows`);
    return ms;
  } catch (e) {
    throw new Error(`chdb-node child failed (${(e as Error).message}): ${child.stderr.slice(-2000)}`);
  }
}

ours();
engine();
ipc(); // warm-up
const times: Record<string, number[]> = { ours: [], engine: [], ipc: [], json: [] };
const intTimes: Record<string, number[]> = { ours: [], engine: [], ipc: [] };
const nullTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  times.ours.push(timed(() => ours()));
  times.engine.push(timed(() => engine()));
  times.ipc.push(timed(() => ipc()));
  nullTimes.push(timed(engineAlone));
  intTimes.ours.push(timed(() => ours(INT_SQL)));
  intTimes.engine.push(timed(() => engine(INT_SQL)));
  intTimes.ipc.push(timed(() => ipc(INT_SQL)));
}
for (let r = 0; r < JSON_ROUNDS; r++) times.json.push(timed(json));

// One-row and empty results: what the streamed path costs where there is nothing to gain (an
// empty result also runs a DESCRIBE of the query to learn its columns).
const TINY = { "one row": "SELECT 1 AS x, 'a' AS s", empty: "SELECT 1 AS x, 'a' AS s WHERE 0" };
const tiny: Record<string, { ours: number[]; engine: number[] }> = {};
for (const [name, sql] of Object.entries(TINY)) {
  tiny[name] = { ours: [], engine: [] };
  for (let r = 0; r < 15; r++) {
    for (const [path, stats] of [["ours", false], ["engine", true]] as const) {
      const start = performance.now();
      for (let i = 0; i < 100; i++) conn.queryArrow(sql, { stats }).close();
      tiny[name][path].push((performance.now() - start) * 10); // µs per query
    }
  }
}
conn.close();
times["chdb-node"] = chdbNode(Math.max(1, Math.min(ROUNDS, 3)));

/** Median of the per-round ratios to ours (rounds alternate, so each pair saw similar load). */
function paired(ms: number[], ours: number[]): string {
  if (ms === ours || ms.length !== ours.length) return "";
  return ` (per-round median ${median(ms.map((x, i) => x / ours[i])).toFixed(2)}x)`;
}

function report(title: string, results: Record<string, number[]>): void {
  const base = median(results.ours);
  console.log(`# ${runtimeName()}: ${ROWS.toLocaleString("en")} rows ${title} into an apache-arrow Table`);
  for (const [name, ms] of Object.entries(results)) {
    const m = median(ms);
    console.log(
      `${name.padEnd(10)} median ${m.toFixed(0).padStart(6)} ms  (${ms.length} runs: ${
        ms.map((x) => x.toFixed(0)).join(", ")
      })` +
        (name === "ours" ? "" : `  ${(m / base).toFixed(2)}x ours`) + paired(ms, results.ours),
    );
  }
}
report("(UInt64, String)", times);
report("(UInt64)", intTimes);
for (const [name, { ours, engine }] of Object.entries(tiny)) {
  console.log(`${name}: ours ${median(ours).toFixed(0)} µs, engine ${median(engine).toFixed(0)} µs per queryArrow()`);
}
console.log(`engine alone, same (UInt64, String) query with FORMAT Null: median ${median(nullTimes).toFixed(0)} ms`);
