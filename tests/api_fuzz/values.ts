// What the API fuzzer draws from: a seeded generator and the pools of SQL, formats, parameters,
// JS data and wrong-typed arguments. Deterministic for a seed: nothing here reads a clock.
import { tableFromArrays } from "apache-arrow";
import { TableReader } from "../../mod.ts";

/** A TableReader over columns, in pieces of at most `count` rows; `throwAt` makes read() throw. */
class FuzzReader extends TableReader {
  #at = 0;
  constructor(private readonly columns: Record<string, ArrayLike<unknown>>, private readonly throwAt = -1) {
    super(columns);
  }
  read(names: string[], count: number): ArrayLike<unknown>[] {
    if (this.#at === this.throwAt) throw new Error("fz reader failed");
    const n = (this.columns[names[0]] ?? []).length;
    if (this.#at >= n) return [];
    const piece = names.map((name) => Array.prototype.slice.call(this.columns[name] ?? [], this.#at, this.#at + count));
    this.#at += count;
    return piece;
  }
}

/** mulberry32: small, fast, and the same sequence on every runtime for a seed. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** SQL with a known one-value answer, as TSV and as an Arrow value: a wrong answer is a finding. */
export const CHECKED_SQL: readonly [string, string, string][] = [
  ["SELECT 1", "1", "1"],
  ["SELECT sum(number) FROM numbers(1000000)", "499999500000", "499999500000"],
  ["SELECT count() FROM numbers(300000)", "300000", "300000"],
  ["SELECT {p:UInt8} + 1", "8", "8"], // with PARAMS_RIGHT
  ["SELECT concat({s:String}, '!')", "é\\0x!", "é\0x!"],
];
export const PARAMS_RIGHT = { p: 7, s: "é\0x" };

/** Everything else the fuzzer runs: valid, invalid, empty, huge, multi-statement, writes. */
export const SQL_POOL: readonly string[] = [
  "SELECT 1",
  "SELECT number, toString(number) AS s FROM numbers(1000)",
  "SELECT number, toString(number) AS s FROM numbers(200000)",
  "SELECT toInt128(1) AS a, [1, 2] AS b, map('k', 1) AS m, tuple(1, 'x') AS t, toUUID('00000000-0000-0000-0000-000000000001') AS u",
  "SELECT {p:UInt8} AS p",
  "SELECT {p:String} AS p, {q:Array(Int32)} AS q",
  "SELECT sleep(0.05), 1",
  "SELECT throwIf(number = 5000) FROM numbers(10000)",
  "SELECT 1; SELECT 2",
  "SELECT 1 FORMAT JSON",
  "",
  "   ",
  ";",
  "SELEC 1",
  "SELECT * FROM no_such_table_fz",
  "SELECT '\u0000x'",
  "SELECT '\ud800'",
  "CREATE TABLE IF NOT EXISTS fz_t (a Int64, s String) ENGINE = Memory",
  "INSERT INTO fz_t VALUES (1, 'a')",
  "INSERT INTO fz_t SELECT number, toString(number) FROM numbers(100)",
  "SELECT count() FROM fz_t",
  "DROP TABLE IF EXISTS fz_t",
  "SELECT sum(a) FROM arrowstream('r0')",
  "SELECT * FROM arrowstream('r1')",
  "SELECT s FROM arrowstream('r0') WHERE a > 1",
  "SYSTEM SHUTDOWN",
  "SET max_threads = 1",
  "SELECT * FROM system.processes",
  "KILL QUERY WHERE query LIKE '%fz-%' ASYNC",
  "SELECT " + "1 + ".repeat(20000) + "1",
  "SELECT '" + "x".repeat(300_000) + "'",
  "SELECT number FROM numbers(1000000000) SETTINGS max_block_size = 1000", // only streamed or cancelled
];

/** SQL a query may run to completion on the JS thread without taking long or much memory. */
export const BOUNDED_SQL = SQL_POOL.filter((s) => !s.includes("1000000000"));

/** The INSERTs an insert stream opens, and the chunks it is fed. */
export const INSERT_SQL: readonly string[] = [
  "INSERT INTO fz_t (a, s)",
  "INSERT INTO fz_t",
  "INSERT INTO no_such_fz",
  "SELECT 1",
  "",
];
export const INSERT_CHUNKS: readonly unknown[] = [
  "1,a\n2,",
  "b\n",
  "x,y\n",
  new TextEncoder().encode("3,c\n"),
  "",
  "9".repeat(100) + ",big\n",
  "\ud800,q\n",
  new Uint8Array(0),
];

export const FORMATS: readonly unknown[] = [
  "CSV",
  "TSV",
  "JSON",
  "JSONEachRow",
  "Arrow",
  "ArrowStream",
  "Parquet",
  "RowBinary",
  "Pretty",
  "ArrowTable",
  "Dataframe",
  "NoSuchFormat",
  "",
  undefined,
];

/** Parameter sets: right, wrong (out of range, wrong type), missing, and of odd JS types. */
export function paramsPool(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => PARAMS_RIGHT,
    () => ({ p: 300 }),
    () => ({ p: -1 }),
    () => ({ p: "x", q: [1, 2] }),
    () => ({ p: "x", q: [1, "y"] }),
    () => ({ p: null, q: null }),
    () => ({ p: 1n << 70n }),
    () => ({ p: new Date(0), q: [] }),
    () => ({ p: new Map([["a", 1]]) }),
    () => ({ p: { a: 1 } }),
    () => ({ p: Symbol("p") }),
    () => ({ p: () => 1 }),
    () => ({ p: new Uint8Array(2) }),
    () => ({ s: "\ud800" }),
    () => ({ p: NaN, q: [Infinity] }),
    () => ({}),
    () => undefined,
    () => null,
    () => 5,
    () => "p=1",
  ])();
}

/** Arguments of wrong types (and a few right ones), for any parameter of any method. */
export function oddValue(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => null,
    () => undefined,
    () => 0,
    () => -1,
    () => NaN,
    () => 1e300,
    () => 2 ** 53 + 1,
    () => 10n,
    () => "",
    () => "SELECT 1",
    () => "x".repeat(100_000),
    () => Symbol("odd"),
    () => ({}),
    () => [],
    () => [1, "a"],
    () => () => 1,
    () => new Uint8Array(4),
    () => Object.create(null),
    () => ({ toString: () => "SELECT 1" }),
    () => true,
    () => new Date(NaN),
    () => "\ud800",
    () => "../../etc/passwd",
    () => "a\0b",
  ])();
}

/** JS data for register()/insert(): the kind, the data, and sum(a) when the data is well-formed. */
export interface JsData {
  kind: string;
  data: unknown;
  sum?: number;
  /** The ArrayBuffers a fuzz step may rewrite or detach after register(). */
  buffers: ArrayBufferLike[];
}

export function jsData(rng: Rng): JsData {
  const n = 1 + rng.int(rng.chance(0.2) ? 5000 : 20);
  const a = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 1000);
  const s = Array.from({ length: n }, (_, i) => `v${i % 13}`);
  const sum = a.reduce((x, y) => x + y, 0);
  return rng.pick<() => JsData>([
    () => ({ kind: "rows", data: [...a].map((v, i) => ({ a: v, s: s[i] })), sum, buffers: [] }),
    () => ({ kind: "columns", data: { a, s }, sum, buffers: [a.buffer] }),
    () => {
      const t = tableFromArrays({ a, f: Float64Array.from(a) });
      return {
        kind: "arrow",
        data: t,
        sum,
        buffers: t.batches.flatMap((b) => b.data.children.map((c) => c.values.buffer)),
      };
    },
    () => ({ kind: "reader", data: new FuzzReader({ a: [...a], s }), sum, buffers: [] }),
    () => ({ kind: "throwing reader", data: new FuzzReader({ a: [...a], s }, 0), buffers: [] }),
    () => ({ kind: "ragged", data: { a: [1, 2], s: ["x"] }, buffers: [] }),
    () => ({ kind: "mixed", data: [{ a: 1 }, { a: "x" }], buffers: [] }),
    () => ({ kind: "symbol", data: [{ a: Symbol("x") }], buffers: [] }),
    () => ({ kind: "empty", data: [], buffers: [] }),
    () => ({ kind: "odd", data: oddValue(rng), buffers: [] }),
  ])();
}

/** Moves an ArrayBuffer's memory away (detaching it), as a program may at any time. */
export function detach(buf: ArrayBufferLike, rng: Rng): void {
  if (!(buf instanceof ArrayBuffer) || buf.byteLength === 0) return;
  const transfer = (buf as { transfer?: (n?: number) => ArrayBuffer }).transfer;
  if (transfer && rng.chance(0.5)) transfer.call(buf, rng.chance(0.5) ? 0 : undefined);
  else structuredClone(buf, { transfer: [buf] });
}
