// Whose leak is it? Boots libchdb again and again through its own C API (no shim, no API layer:
// chdb_connect, queries, chdb_close_conn of the last connection, which stops the engine) and
// reports the RSS each boot leaves behind. Cases: `memory` (no path, SELECT 1), `mergetree` (a new
// directory each time, a MergeTree table created and filled), the pattern of temporary sessions
// before this library reused their directory.
//   deno run -A bench/reboot_leak.ts [memory|mergetree] [BOOTS]   |   bun bench/reboot_leak.ts ...
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { native } from "./internals.ts";
import { openLibchdb } from "./raw_ffi.ts";
import { rawSymbols } from "./raw_libchdb.ts";

const [mode = "mergetree", bootsArg = "100"] = process.argv.slice(2);
const boots = Number(bootsArg);
const lib = native(); // loads libchdb through the shim first (signal handlers off), as the API does
const raw = openLibchdb(rawSymbols);
const encoder = new TextEncoder();
const MB = 1024 * 1024;

function boot(dir: string | undefined, queries: string[]): void {
  const args = ["chdb", ...(dir ? [`--path=${dir}`] : [])].map((a) => encoder.encode(`${a}\0`));
  const argv = new BigUint64Array([...args.map((a) => lib.addressOf(a)), 0n]);
  const connPtr = raw.chdb_connect(args.length, argv);
  if (connPtr === null) throw new Error("chdb_connect failed");
  const conn = lib.pointer(new BigUint64Array(lib.copy(lib.address(connPtr), 8).buffer)[0]);
  const format = encoder.encode("CSV");
  for (const sql of queries) {
    const q = encoder.encode(sql);
    const result = raw.chdb_query_n(conn, q, q.length, format, format.length);
    const error = raw.chdb_result_error(result);
    raw.chdb_destroy_query_result(result);
    if (error !== null) throw new Error(`${sql}: failed`);
  }
  raw.chdb_close_conn(connPtr); // the last connection: the engine stops
}

function once(): void {
  if (mode === "memory") return boot(undefined, ["SELECT 1"]);
  const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-reboot-"));
  boot(dir, [
    "CREATE TABLE t (a UInt64, s String) ENGINE = MergeTree ORDER BY a",
    "INSERT INTO t SELECT number, toString(number) FROM numbers(100)",
    "SELECT count() FROM t",
  ]);
  rmSync(dir, { recursive: true, force: true });
}

for (let i = 0; i < 5; i++) once(); // warm-up
const start = process.memoryUsage.rss();
const began = performance.now();
for (let i = 0; i < boots; i++) once();
const end = process.memoryUsage.rss();
console.log(JSON.stringify({
  mode,
  boots,
  rssStartMB: +(start / MB).toFixed(1),
  rssEndMB: +(end / MB).toFixed(1),
  mbPerBoot: +((end - start) / MB / boots).toFixed(3),
  msPerBoot: +((performance.now() - began) / boots).toFixed(1),
}));
