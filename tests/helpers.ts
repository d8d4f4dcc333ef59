// Shared test helpers: running a script on the same runtime as the test suite.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const runtime: "deno" | "bun" | "node" = process.versions.bun
  ? "bun"
  : (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : "node";

/**
 * Runs a TypeScript file with the runtime running the tests (Deno gets -A). Under Node the suite
 * runs compiled (scripts/run.mjs), so the file's compiled `.js` twin runs instead. `exposeGc`
 * gives the script gc() (Bun's is Bun.gc).
 */
export function runScript(
  file: string,
  args: string[] = [],
  options: { env?: Record<string, string>; input?: string | Uint8Array; exposeGc?: boolean } = {},
): SpawnSyncReturns<Buffer> {
  const gc = options.exposeGc === true;
  const argv = runtime === "deno"
    ? ["run", ...(gc ? ["--v8-flags=--expose-gc"] : []), "-A", file, ...args]
    : runtime === "node"
    ? [...(gc ? ["--expose-gc"] : []), file.replace(/\.ts$/, ".js"), ...args]
    : [file, ...args];
  return spawnSync(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    input: options.input ?? "",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function fixture(name: string): string {
  return join(ROOT, "tests", "fixtures", name);
}

export function tempDir(prefix = "chdb-ffi-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * SELECT expressions over numbers(N) of every column type the shim builds as Arrow from the
 * engine's Native output (decimals from text: the engine's own float-to-decimal rounding varies
 * with the block size). `nullable` makes every third value NULL.
 */
export function plainTypeColumns(nullable = false): string {
  const columns = [
    "toUInt8(number) AS u8", "toInt8(-number) AS i8", "toUInt16(number * 300) AS u16", "toInt16(-number) AS i16",
    "toUInt32(number * 70000) AS u32", "toInt32(-number) AS i32", "number * 1000000007 AS u64", "-toInt64(number) AS i64",
    "toFloat32(number / 3) AS f32", "number / 7 AS f64", "number % 2 = 0 AS b", "toBool(number % 3) AS bb",
    "toDate('2024-01-01') + number AS d", "toDate32('1900-01-01') + number AS d32",
    "toDateTime('2024-01-02 03:04:05') + number AS dt", "toDateTime('2024-01-02 03:04:05', 'Asia/Tokyo') AS dtz",
    "toFixedString(toString(number), 4) AS fs", "toDecimal32(number / 4 - 3, 2) AS dec32", "toDecimal64(-number / 8, 5) AS dec64",
    "toDecimal128(concat(toString(number), '.01234567890123456789'), 20) AS dec128",
    "toDecimal256(concat('-', toString(number), '.0123456789012345678901234567890123456789'), 40) AS dec256",
    "toInt128(-number) * toInt128('1000000000000000000000') AS i128", "toUInt128(number) AS u128", "toInt256(-number) AS i256",
    "toUInt256(number) * toUInt256('100000000000000000000000000000000') AS u256", "toString(number) AS s",
    "repeat('é', number % 200) AS long", "'' AS empty",
  ];
  return columns.map((c) => {
    if (!nullable) return c;
    const [expr, name] = c.split(" AS ");
    return `if(number % 3 = 1, NULL, ${expr}) AS ${name}`;
  }).join(", ");
}
