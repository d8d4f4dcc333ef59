// What the client fuzz draws from: result formats with the exact output of a known query, how a
// result is read, settings (valid, unknown, HTTP-only, ill-formed), query ids and insert inputs
// (arrays, Node and web streams, streams that fail midway, empty and wrong-typed input).
import { Readable } from "node:stream";
import type { Rng } from "./values.ts";

/** `count` rows of (n UInt32, s String) = (i, toString(i)). */
export const KNOWN_SQL = "SELECT toUInt32(number) AS n, toString(number) AS s FROM numbers({count:UInt32})";

export interface ResultFormat {
  name: string;
  /** The whole output for `count` rows; undefined when only checked by shape (binary). */
  text?: (count: number) => string;
  /** The client's rs.stream() takes it (one row a line). */
  streamable: boolean;
  /** rs.json() takes it. */
  json: boolean;
  /** Largest count whose text() is exact (RowBinary: small numbers are valid UTF-8). */
  maxCount?: number;
}

const rows = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join("");

export const RESULT_FORMATS: readonly ResultFormat[] = [
  { name: "JSONEachRow", text: (c) => rows(c, (i) => `{"n":${i},"s":"${i}"}\n`), streamable: true, json: true },
  { name: "JSONCompactEachRow", text: (c) => rows(c, (i) => `[${i}, "${i}"]\n`), streamable: true, json: true },
  {
    name: "JSONCompactEachRowWithNames",
    text: (c) => `["n", "s"]\n` + rows(c, (i) => `[${i}, "${i}"]\n`),
    streamable: true,
    json: true,
  },
  { name: "CSV", text: (c) => rows(c, (i) => `${i},"${i}"\n`), streamable: true, json: false },
  { name: "CSVWithNames", text: (c) => `"n","s"\n` + rows(c, (i) => `${i},"${i}"\n`), streamable: true, json: false },
  { name: "TabSeparated", text: (c) => rows(c, (i) => `${i}\t${i}\n`), streamable: true, json: false },
  {
    name: "TabSeparatedWithNamesAndTypes",
    text: (c) => "n\ts\nUInt32\tString\n" + rows(c, (i) => `${i}\t${i}\n`),
    streamable: true,
    json: false,
  },
  { name: "JSON", streamable: false, json: true },
  { name: "Parquet", streamable: false, json: false },
  {
    name: "RowBinary",
    text: (c) => rows(c, (i) => `${String.fromCharCode(i)}\0\0\0${String.fromCharCode(String(i).length)}${i}`),
    streamable: false,
    json: false,
    maxCount: 100,
  },
];

/** How a result set is consumed. "never" leaves it to the end of the sequence (or client.close()). */
export type ReadMode = "text" | "json" | "stream" | "stream-part" | "close" | "never";

/** Row counts: empty, one block, several blocks (with a small max_block_size). */
export function rowCount(rng: Rng): number {
  return rng.pick([0, 1, 3, 10, 100, 1000, 20_000]);
}

/** clickhouse_settings of a request: mostly valid, some unknown, HTTP-only or ill-formed. */
export function requestSettings(rng: Rng): Record<string, unknown> | undefined {
  return rng.pick<() => Record<string, unknown> | undefined>([
    () => undefined,
    () => undefined,
    () => ({ max_block_size: rng.pick([1, 7, 100, "1000"]) }),
    () => ({ max_threads: 1, max_block_size: 3 }),
    () => ({ max_threads: rng.pick([1, 2]) }),
    () => ({ wait_end_of_query: 1, send_progress_in_http_headers: 1 }),
    () => ({ default_format: "CSV" }),
    () => ({ fz_no_such_setting: 1 }),
    () => ({ max_threads: "x" }),
    () => ({ max_block_size: 5, max_threads: "x" }),
    () => ({ "bad name": 1 }),
    () => ({ max_block_size: {} }),
    () => ({ max_block_size: undefined }),
    () => ({ readonly: rng.pick([1, 2]) }),
    () => ({ max_result_rows: 5, result_overflow_mode: "throw" }),
  ])();
}

/** A query_id: none, a fresh one, one already used (maybe still running), empty or invalid. */
export function queryIdOf(rng: Rng, fresh: () => string, used: readonly string[]): string | undefined {
  const r = rng.int(10);
  if (r < 3) return undefined;
  if (r < 7 || used.length === 0) return fresh();
  if (r < 9) return rng.pick(used);
  return rng.pick(["", "bad id!", "x".repeat(200), "é"]);
}

/** Rows of the client's table (n UInt32, s String), as objects. */
export function tableRows(count: number, from = 0): { n: number; s: string }[] {
  return Array.from({ length: count }, (_, i) => ({ n: from + i, s: `r${from + i}` }));
}

/** An insert's input and format: the rows it adds when it succeeds (null: not known), and
 * whether it must fail (its stream fails). A failed insert adds nothing. */
export interface InsertInput {
  kind: string;
  values: unknown;
  format: string;
  rows: number | null;
  mustFail?: boolean;
}

/** CSV text of `count` rows, cut into pieces at random places (a row may span two chunks). */
function csvChunks(rng: Rng, count: number): string[] {
  const text = tableRows(count).map((r) => `${r.n},${r.s}\n`).join("");
  const chunks: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + rng.int(rng.chance(0.5) ? 16 : 4096);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** A Node stream that yields `chunks`, then fails with `error` (registered by the caller). */
function failingReadable(chunks: unknown[], error: Error, objectMode: boolean): Readable {
  let i = 0;
  return new Readable({
    objectMode,
    read() {
      if (i < chunks.length) this.push(chunks[i++]);
      else setTimeout(() => this.destroy(error), 0);
    },
  });
}

function webStream(chunks: string[], error?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) c.enqueue(encoder.encode(chunks[i++]));
      else if (error) c.error(error);
      else c.close();
    },
  });
}

/** Insert input for the client's insert(); `fail` makes the error an input stream fails with. */
export function insertInput(rng: Rng, fail: () => Error, web: "client" | "backend"): InsertInput {
  const count = rng.pick([1, 5, 100, 3000]);
  return rng.pick<() => InsertInput>([
    () => ({ kind: "array", values: tableRows(count), format: "JSONEachRow", rows: count }),
    () => ({
      kind: "compact array",
      values: tableRows(count).map((r) => [r.n, r.s]),
      format: "JSONCompactEachRow",
      rows: count,
    }),
    () => ({ kind: "object stream", values: Readable.from(tableRows(count)), format: "JSONEachRow", rows: count }),
    () => ({
      kind: "csv stream",
      values: Readable.from(csvChunks(rng, count), { objectMode: false }),
      format: "CSV",
      rows: count,
    }),
    () => {
      const ws = webStream(csvChunks(rng, count));
      return { kind: "web stream", values: web === "client" ? Readable.fromWeb(ws as never) : ws, format: "CSV", rows: count };
    },
    () => ({
      kind: "failing csv stream",
      values: failingReadable(csvChunks(rng, count), fail(), false),
      format: "CSV",
      rows: null,
      mustFail: true,
    }),
    () => ({
      kind: "failing object stream",
      values: failingReadable(tableRows(count), fail(), true),
      format: "JSONEachRow",
      rows: null,
      mustFail: true,
    }),
    () => {
      const ws = webStream(csvChunks(rng, count), fail());
      return {
        kind: "failing web stream",
        values: web === "client" ? Readable.fromWeb(ws as never) : ws,
        format: "CSV",
        rows: null,
        mustFail: true,
      };
    },
    () => ({ kind: "empty array", values: [], format: "JSONEachRow", rows: 0 }),
    () => ({ kind: "empty stream", values: Readable.from([], { objectMode: false }), format: "CSV", rows: 0 }),
    () => ({ kind: "wrong types", values: [{ n: "x", s: 1 }], format: "JSONEachRow", rows: null }),
    () => ({
      kind: "one bad row at the end",
      values: [...tableRows(count), { n: "bad", s: "x" }],
      format: "JSONEachRow",
      rows: null,
    }),
    () => ({ kind: "bad csv", values: Readable.from(["1,a\n", "x,y,z\n"], { objectMode: false }), format: "CSV", rows: null }),
    () => ({ kind: "null rows", values: [null, 5], format: "JSONEachRow", rows: null }),
  ])();
}
