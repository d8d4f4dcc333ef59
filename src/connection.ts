// A connection to the in-process engine: open, query, close.
import { resolve } from "node:path";
import { RESULT_INFO_WORDS, Status } from "../ffi/symbols.ts";
import type { Pointer } from "../ffi/types.ts";
import { encodeStringList, fromCBuffer, fromUtf8, utf8 } from "./encoding.ts";
import {
  ChdbArgumentError,
  ChdbClosedError,
  ChdbConnectionError,
  ChdbError,
  ChdbPathConflictError,
  ChdbQueryError,
} from "./errors.ts";
import { native, runAtExit } from "./native.ts";
import { encodeParams, type QueryParams } from "./params.ts";
import { Result } from "./result.ts";
import { LazyQuery } from "./lazy.ts";
import { type ArrowQueryOptions, queryArrow } from "./arrow/query.ts";
import type { ArrowTable } from "./arrow/table.ts";
import { ArrowBatchStream, type ArrowStreamOptions, closeStreams } from "./arrow/stream.ts";
import { buildSql } from "./arrow/sql.ts";
import { registerTable, releaseTables, tablesFor, unregisterTable } from "./arrow/tables.ts";

export const MEMORY = ":memory:";

export interface ConnectOptions {
  /** Query-level settings for this connection only, e.g. `{ max_threads: 2 }`. */
  settings?: Record<string, string | number | boolean>;
}

export interface QueryOptions {
  /** Values bound server-side to `{name:Type}` placeholders; never interpolated into SQL. */
  params?: QueryParams;
}

// Scratch out-params for the synchronous calls: JS runs them one at a time on this thread.
const outPointer = new BigUint64Array(1);
const info = new BigUint64Array(RESULT_INFO_WORDS);
const infoFloat = new Float64Array(info.buffer);
const ERR_CAP = 4096;

// The one owner of native connection handles: a handle is closed exactly once, by whichever
// comes first of close(), the FinalizationRegistry (a forgotten connection) and the end of the
// program (a script that never closed; under `deno test`, the end of each test file).
const live = new Map<number, Pointer>();
let nextId = 1;

function closeHandle(id: number): void {
  const handle = live.get(id);
  if (handle === undefined) return;
  live.delete(id);
  native().fn.chffi_close(handle);
}

const unclosed = new FinalizationRegistry<number>(closeHandle);
runAtExit(() => {
  for (const id of [...live.keys()]) closeHandle(id);
});

/** ":memory:" stays as is; a directory becomes an absolute path so that one path has one spelling. */
export function normalizePath(path: string): string {
  if (typeof path !== "string") throw new ChdbArgumentError(`path must be a string, got ${typeof path}`);
  if (path === "" || path === MEMORY) return MEMORY;
  if (path.includes("\0")) throw new ChdbArgumentError("path contains a NUL byte");
  return resolve(path);
}

function settingArgs(settings: ConnectOptions["settings"]): string[] {
  return Object.entries(settings ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new ChdbArgumentError(`invalid setting name: ${JSON.stringify(name)}`);
    if (!["string", "number", "boolean"].includes(typeof value) || String(value).includes("\0")) {
      throw new ChdbArgumentError(`setting ${name} must be a string, number or boolean without NUL bytes`);
    }
    return `--${name}=${typeof value === "boolean" ? Number(value) : value}`;
  });
}

// The engine ignores unknown setting names silently; a typo should not go unnoticed.
function rejectUnknownSettings(conn: Connection, settings: ConnectOptions["settings"]): void {
  const names = Object.keys(settings ?? {});
  if (names.length === 0) return;
  const unknown = conn.query(
    "SELECT arrayFilter(n -> n NOT IN (SELECT name FROM system.settings), {names:Array(String)})",
    "JSONCompactEachRow",
    { params: { names } },
  ).json<string[][][]>()[0][0];
  if (unknown.length > 0) throw new ChdbConnectionError(`unknown setting(s): ${unknown.join(", ")}`);
}

/** query() formats that return an apache-arrow Table instead of a Result. */
const arrowFormats = new Set(["arrowtable", "dataframe"]);

export class Connection implements Disposable {
  readonly #id = nextId++;
  /** ":memory:" or the absolute data directory. */
  readonly path: string;

  constructor(path: string = MEMORY, options: ConnectOptions = {}) {
    this.path = normalizePath(path);
    const lib = native();
    const pathBytes = utf8(this.path);
    const optionBytes = encodeStringList(settingArgs(options.settings));
    const err = new Uint8Array(ERR_CAP);
    const status = lib.fn.chffi_connect(pathBytes, pathBytes.length, optionBytes, optionBytes.length, outPointer, err, ERR_CAP);
    if (status !== Status.OK) {
      const message = fromCBuffer(err);
      if (status !== Status.PATH_CONFLICT) throw new ChdbConnectionError(message);
      throw new ChdbPathConflictError(`${message} (query() keeps one open: closeDefaultConnection() closes it)`);
    }
    const handle = lib.pointer(outPointer[0]);
    if (handle === null) throw new ChdbConnectionError("the shim reported success but returned no connection");
    live.set(this.#id, handle);
    unclosed.register(this, this.#id, this);
    try {
      rejectUnknownSettings(this, options.settings);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get closed(): boolean {
    return !live.has(this.#id);
  }

  /** The native handle; throws once the connection is closed. */
  protected handle(): Pointer {
    const handle = live.get(this.#id);
    if (handle === undefined) throw new ChdbClosedError("the connection is closed");
    return handle;
  }

  /**
   * Runs one or more SQL statements and returns the output of the last one in `format`
   * (any ClickHouse output format: CSV, TSV, JSON, JSONEachRow, Pretty, Parquet, Arrow...).
   */
  query(sql: string, format: "ArrowTable" | "Dataframe", options?: ArrowQueryOptions): ArrowTable;
  query(sql: string, format?: string, options?: QueryOptions): Result;
  query(sql: string, format = "CSV", options: QueryOptions = {}): Result | ArrowTable {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    if (typeof format !== "string" || format === "") throw new ChdbArgumentError("format must be a non-empty string");
    if (arrowFormats.has(format.toLowerCase())) return this.queryArrow(sql, options);
    const handle = this.handle();
    const tables = tablesFor(this, handle, sql);
    try {
      return this.#queryText(handle, tables.sql, format, options);
    } finally {
      tables.release();
    }
  }

  #queryText(handle: Pointer, sql: string, format: string, options: QueryOptions): Result {
    const lib = native();
    const sqlBytes = utf8(sql);
    const formatBytes = utf8(format);
    const paramBytes = encodeParams(options.params);
    const status = lib.fn.chffi_query(
      handle, sqlBytes, sqlBytes.length, formatBytes, formatBytes.length, paramBytes, paramBytes.length, outPointer, info,
    );
    const result = lib.pointer(outPointer[0]);
    try {
      if (status !== Status.OK) {
        const text = fromUtf8(lib.copy(info[2], Number(info[3]))) || `the shim failed with status ${status}`;
        throw status === Status.ENGINE_ERROR ? ChdbQueryError.fromEngine(text) : new ChdbError(text);
      }
      return new Result(lib.copy(info[0], Number(info[1])), format, {
        elapsed: infoFloat[4],
        rowsRead: Number(info[5]),
        bytesRead: Number(info[6]),
        storageRowsRead: Number(info[7]),
        storageBytesRead: Number(info[8]),
        rowsWritten: Number(info[9]),
        bytesWritten: Number(info[10]),
      });
    } finally {
      lib.fn.chffi_result_free(result);
    }
  }

  /**
   * A query whose Arrow batches can be hash-filtered as they arrive:
   * `conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdate(seen)).collect()` (or `.stream()`).
   */
  lazy(sql: string): LazyQuery {
    this.handle();
    return new LazyQuery(this, sql);
  }

  // ---- Arrow (src/arrow/) ----

  /** Runs SQL and returns the result as an apache-arrow Table over the engine's memory (no copy). */
  queryArrow(sql: string, options: ArrowQueryOptions = {}): ArrowTable {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const handle = this.handle();
    const tables = tablesFor(this, handle, sql);
    try {
      return queryArrow(handle, tables.sql, options);
    } finally {
      tables.release();
    }
  }

  /**
   * Runs SQL as a stream of Arrow RecordBatches (sync and async iterable) with bounded memory.
   * Leaving the loop early cancels the query. A batch is valid until the next one is requested.
   */
  streamArrow(sql: string, options: ArrowStreamOptions = {}): ArrowBatchStream {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const handle = this.handle();
    const tables = tablesFor(this, handle, sql);
    try {
      return new ArrowBatchStream(this, handle, tables.sql, options, tables);
    } catch (e) {
      tables.release();
      throw e;
    }
  }

  /**
   * Makes JS data readable as `arrowstream('name')` until unregister(name): an apache-arrow
   * Table/RecordBatch (scanned in place), an array of row objects, a record of column arrays or
   * a TableReader (converted to Arrow once, now).
   */
  register(name: string, data: unknown): void {
    this.handle();
    registerTable(this, name, data);
  }

  /** Forgets a table registered with register(); false if the name was not registered. */
  unregister(name: string): boolean {
    return unregisterTable(this, name);
  }

  /**
   * Tagged template: ``conn.sql`SELECT b, sum(a) FROM ${table} WHERE a > ${n} GROUP BY b` ``.
   * Interpolated tables are scanned in place for this query only; other values are bound
   * parameters. Returns an apache-arrow Table.
   */
  sql(strings: TemplateStringsArray, ...values: unknown[]): ArrowTable {
    const handle = this.handle();
    const query = buildSql(strings, values);
    try {
      const tables = tablesFor(this, handle, query.sql, query.tables);
      try {
        return queryArrow(handle, tables.sql, { params: query.params });
      } finally {
        tables.release();
      }
    } finally {
      for (const scan of query.tables.values()) scan.free();
    }
  }

  /** Closes the connection (and its open Arrow streams and registered tables). Idempotent. */
  close(): void {
    closeStreams(this);
    releaseTables(this);
    unclosed.unregister(this);
    closeHandle(this.#id);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
