// A connection to the in-process engine: open, query, close.
// src/connection/ is rank 4 (Connection, its cursors, statements and verbs): it imports ranks 0-3.
import { resolve } from "node:path";
import { type AsyncOptions, checkSignal } from "../core/abortable.ts";
import { closeConnection, openConnection } from "../core/connection_calls.ts";
import { encodeStringList, utf8 } from "../core/encoding.ts";
import {
  ChdbArgumentError,
  ChdbBusyError,
  ChdbClosedError,
  ChdbConnectionError,
  ChdbPathConflictError,
} from "../core/errors.ts";
import type { Lane, Pointer } from "../core/native.ts";
import { NativeHandle } from "../core/native_handle.ts";
import { optionsObject } from "../core/options.ts";
import { encodeParams, type QueryParams } from "../core/params.ts";
import { type LazyQuery, lazyQueryOn } from "./lazy_query.ts";
import { runQuery, runQueryOnLane } from "../core/query_calls.ts";
import type { QueryStats, Result } from "../core/result.ts";
import { type Cursor, cursorOn } from "./cursor.ts";
import { type Row, type Statement, statementOn } from "./statement.ts";
import type { RowSource } from "./row_source.ts";
import type { QueryOptions } from "./query_options.ts";
import { ROWS_FORMAT } from "../rows/row_set.ts";
import { InsertStream, type InsertStreamOptions, QueryStream, type StreamHost, type StreamOptions } from "../stream/query_stream.ts";
import {
  type ArrowQueryOptions,
  queryArrow,
  queryArrowOffThread,
  queryRows,
  queryRowsOffThread,
} from "../arrow/query_arrow.ts";
import type { ArrowTable } from "../arrow/arrow_table.ts";
import { ArrowBatchStream, type ArrowStreamOptions } from "../stream/arrow_batch_stream.ts";
import { buildSql } from "../arrow/build_sql.ts";
import { registerTable, releaseTables, tablesFor, unregisterTable } from "../arrow/query_tables.ts";
import { killOnAbort, killQuery, queryIdOf } from "../policy/kill_query.ts";
import type { CancelOptions } from "../policy/kill_query.ts";
import { type PolicyOptions, type QueryPlan, QueryPolicy, runPlanned, runPlannedOnLane } from "../policy/query_policy.ts";
import { type ProgressOptions, ProgressWatch } from "../policy/progress_watch.ts";
import { refuseWrites } from "../policy/classify.ts";
import { command, commandAsync } from "./command.ts";
import { insert, insertAsync, type InsertData } from "./insert.ts";
import type { TableReader } from "../arrow/to_arrow_table.ts";

/** What register() takes: Arrow data, row objects, a record of column arrays or a TableReader. */
export type RegisterData = InsertData | TableReader;
import { type Int64Mode, int64Mode, type Int64Option, tableWithInt64 } from "../rows/int64_mode.ts";
import type { Format } from "../core/format.ts";

export const MEMORY = ":memory:";

/** Options of `connect()` / `new Connection()` / `new Session()`. */
export interface ConnectOptions extends PolicyOptions {
  /** Query-level settings for this connection only, e.g. `{ max_threads: 2 }`. */
  settings?: Record<string, string | number | boolean>;
  /** How (U)Int64/128/256 values come back in rows and Arrow tables (see {@link Int64Option}). */
  int64?: Int64Mode;
}


// ---- One data path per process: who holds it (src/api/default_connection.ts yields query()'s idle connection) ----

/** What each open connection is (its class name, or query()'s label) and the path it holds. */
const holders = new Map<object, { path: string; kind: string }>(); // keyed by a token per connection
/** By holder kind: a hook that closes its connection if idle (true when it did). */
const idleReleasers = new Map<string, () => boolean>();

/**
 * Connections of kind `holder` give way to another data path when `release` closes them (it
 * returns false when its connection is busy). Used by query()'s default connection (src/api/default_connection.ts).
 */
export function onPathConflict(holder: string, release: () => boolean): void {
  idleReleasers.set(holder, release);
}

/**
 * Closes the idle connections that would give way (query()'s default one) holding another path
 * than `path`; true when no connection holds another path any more.
 */
function releaseIdleHolders(path: string): boolean {
  const kinds = new Set([...holders.values()].filter((h) => h.path !== path).map((h) => h.kind));
  for (const kind of kinds) idleReleasers.get(kind)?.();
  return [...holders.values()].every((h) => h.path === path);
}

/** The data path open in this process, if a connection (other than of kind `except`) is open. */
export function openDataPath(except?: string): string | undefined {
  for (const holder of holders.values()) if (holder.kind !== except) return holder.path;
  return undefined;
}

/** Names the connections that hold another path than `path`, e.g. "/data (1 Session, 2 Connection)". */
function conflictMessage(path: string): string {
  const kinds = new Map<string, number>();
  let open = "";
  for (const holder of holders.values()) {
    if (holder.path === path) continue;
    open = holder.path;
    kinds.set(holder.kind, (kinds.get(holder.kind) ?? 0) + 1);
  }
  const who = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
  return `chDB allows one data path per process: ${open} is open (${who}); close them before connecting to ${path}`;
}

// rowSourceOf() reaches a connection's private RowSource (set by Connection's static block).
let rowSourceFor: (conn: Connection) => RowSource;

/** What `conn`'s cursors and statements run on (tests compare its Arrow rows with RowBinary's). */
export function rowSourceOf(conn: Connection): RowSource {
  return rowSourceFor(conn);
}

/** What connectAs() names the connection being constructed (otherwise: its class name). */
let kindOfNext: string | undefined;

/**
 * A connection that path-conflict messages name `kind` (e.g. query()'s default one, which gives
 * way through onPathConflict(kind, ...)).
 */
export function connectAs(kind: string, path: string, options: ConnectOptions): Connection {
  kindOfNext = kind;
  try {
    return new Connection(path, options);
  } finally {
    kindOfNext = undefined;
  }
}

/** Opens a connection on `path`; an idle connection that nobody holds (query()'s default one) gives way to it once. */
function openOnPath(path: string, options: Uint8Array): Pointer {
  const pathBytes = utf8(path);
  for (let retried = false;; retried = true) {
    try {
      return openConnection(pathBytes, options);
    } catch (e) {
      if (!(e instanceof ChdbPathConflictError)) throw e;
      if (retried || !releaseIdleHolders(path)) throw new ChdbPathConflictError(conflictMessage(path));
    }
  }
}

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
    // use_query_cache = 0: a connection opened with the query cache on refuses to cache a system table
    "SELECT arrayFilter(n -> n NOT IN (SELECT name FROM system.settings), {names:Array(String)}) SETTINGS use_query_cache = 0",
    "JSONCompactEachRow",
    { params: { names } },
  ).json<string[][][]>()[0][0];
  if (unknown.length > 0) throw new ChdbConnectionError(`unknown setting(s): ${unknown.join(", ")}`);
}

/** The message for a format argument that is not a format name (e.g. chdb-node's `{ format }` habit). */
function formatMisuse(format: unknown): string {
  const named = format !== null && typeof format === "object" && typeof (format as { format?: unknown }).format === "string";
  return named
    ? `the format is the second argument, not an option: query(sql, ${JSON.stringify((format as { format: string }).format)}, { params })`
    : `format must be a non-empty string (a ClickHouse format name such as "CSV" or "JSONEachRow"), got ${
      format === "" ? '""' : typeof format
    }`;
}

/**
 * The format the output is really in: SQL ending in its own `FORMAT name` clause wins over the
 * format argument (the engine obeys the clause), and the Result says so.
 */
function formatOf(sql: string, format: string): string {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql.slice(-256))?.[1] ?? format;
}

/** query() formats that return an apache-arrow Table instead of a Result. */
const arrowFormats = new Set(["arrowtable", "dataframe"]);

/**
 * A connection to the in-process engine (in memory, or on a data directory). Calls on one
 * connection run one at a time in call order; close it (or `using`) when done.
 *
 * @example
 * ```ts
 * import { Connection } from "./mod.ts";
 * using conn = new Connection();
 * conn.query("CREATE TABLE t (a UInt8) ENGINE = Memory; INSERT INTO t VALUES (1), (2)");
 * console.log(conn.query("SELECT sum(a) FROM t", "CSV").text()); // 3
 * ```
 */
export class Connection implements Disposable {
  static {
    rowSourceFor = (conn) => conn.#rows();
  }
  // The native connection (src/core/native_handle.ts: freed once, by close(), garbage collection or
  // exit; after the calls made before close() and after the streams open on it).
  readonly #handle: NativeHandle;
  /** Tasks for after the native connection is freed (they must not reference this object). */
  readonly #afterFree: (() => void)[] = [];
  /** ":memory:" or the absolute data directory. */
  readonly path: string;
  /** How this connection returns (U)Int64/128/256 values unless a call says otherwise. */
  readonly int64: Int64Mode;

  /** The sandbox, limits and cancellation of this connection's queries (src/policy/query_policy.ts). */
  readonly #policy: QueryPolicy;

  /** Opens a connection on `path` (default `:memory:`); see ConnectOptions for settings, limits and the sandbox. */
  constructor(path: string = MEMORY, options: ConnectOptions = {}) {
    const kind = kindOfNext ?? new.target.name;
    kindOfNext = undefined;
    this.path = normalizePath(path);
    options = optionsObject(options);
    this.#policy = new QueryPolicy(this.path, options);
    this.int64 = int64Mode(options.int64);
    const handle = openOnPath(this.path, encodeStringList([...settingArgs(options.settings), ...this.#policy.connectArgs()]));
    const afterFree = this.#afterFree;
    const holder = {}; // not `this`: the entry must not keep the connection reachable
    holders.set(holder, { path: this.path, kind });
    this.#handle = new NativeHandle(this, handle, closeConnection, {
      what: "the connection",
      afterFree: () => {
        holders.delete(holder);
        for (const task of afterFree.splice(0)) task();
      },
    });
    try {
      rejectUnknownSettings(this, options.settings);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** True once close() was called (the native connection may still finish the calls made before). */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /**
   * The native handle for a synchronous call; throws ChdbClosedError once the connection is
   * closed, ChdbBusyError while asynchronous calls on it are in flight.
   */
  protected handle(): Pointer {
    return this.#handle.use()!;
  }

  /**
   * Runs one or more SQL statements and returns the output of the last one in `format`
   * (any ClickHouse output format: CSV, TSV, JSON, JSONEachRow, Pretty, Parquet, Arrow...).
   */
  query(sql: string, format: "ArrowTable" | "Dataframe", options?: ArrowQueryOptions & QueryOptions): ArrowTable;
  /** Runs `sql` and returns the output of the last statement in `format` (default CSV) as a Result. */
  query<F extends string>(sql: string, format?: Format<F>, options?: QueryOptions): Result;
  query(sql: string, format = "CSV", options: QueryOptions = {}): Result | ArrowTable {
    options = optionsObject(options);
    if (typeof format === "string" && arrowFormats.has(format.toLowerCase())) return this.queryArrow(sql, options);
    if (typeof format !== "string" || format === "") throw new ChdbArgumentError(formatMisuse(format));
    const formatBytes = utf8(format);
    return this.#withTables(sql, options, (handle, text) => {
      return runQuery(handle, utf8(text), formatBytes, encodeParams(options.params), formatOf(sql, format));
    });
  }

  /**
   * query() off the JS thread: the event loop keeps running while the engine works. Calls on one
   * connection run one at a time in call order; use several connections for parallel queries.
   */
  queryAsync(
    sql: string,
    format: "ArrowTable" | "Dataframe",
    options?: ArrowQueryOptions & QueryOptions & AsyncOptions & ProgressOptions,
  ): Promise<ArrowTable>;
  /** queryAsync() in any ClickHouse format (default CSV): the output as a Result. */
  queryAsync<F extends string>(sql: string, format?: Format<F>, options?: QueryOptions & AsyncOptions & ProgressOptions): Promise<Result>;
  async queryAsync(
    sql: string,
    format = "CSV",
    options: QueryOptions & AsyncOptions & ProgressOptions = {},
  ): Promise<Result | ArrowTable> {
    options = optionsObject(options);
    if (options.onProgress && typeof sql === "string") {
      return await this.#withProgress(options, (queryId) => this.queryAsync(sql, format, { ...options, queryId, onProgress: undefined }));
    }
    if (typeof format === "string" && arrowFormats.has(format.toLowerCase())) return await this.queryArrowAsync(sql, options);
    if (typeof format !== "string" || format === "") throw new ChdbArgumentError(formatMisuse(format));
    const formatBytes = utf8(format);
    return await this.#withTablesAsync(sql, options, async (lane, handle, text) => {
      // The SQL encoded once, as the engine gets it (marked, tables renamed).
      return await runQueryOnLane(lane, handle, utf8(text), formatBytes, encodeParams(options.params), formatOf(sql, format));
    });
  }

  /** The native pointer for an off-thread call (valid until the calls queued before close() have run). */
  #livePointer(): Pointer {
    this.#handle.check();
    return this.#handle.current!;
  }

  /** The native handle of the stream or insert stream that holds the connection. */
  #exclusive: NativeHandle | undefined;

  /**
   * Reserves the connection for a streaming query or INSERT (the native handle of it): the engine
   * runs nothing else on it until the returned function gives it back (when that handle is freed).
   * close() closes the stream first.
   */
  #reserve(stream: NativeHandle): () => void {
    this.#handle.check();
    this.#checkExclusive();
    this.#exclusive = stream;
    return () => {
      if (this.#exclusive === stream) this.#exclusive = undefined;
    };
  }

  #checkExclusive(): void {
    if (this.#exclusive) {
      throw new ChdbBusyError("a stream is open on this connection: finish or close it first (or use another connection)");
    }
  }

  /**
   * A query whose Arrow batches can be hash-filtered as they arrive:
   * `conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdate(seen)).collect()` (or `.stream()`).
   */
  lazy(sql: string): LazyQuery {
    this.#handle.check();
    return lazyQueryOn((text, options) => this.streamArrow(text, options), sql);
  }

  // ---- Arrow (src/arrow/) ----

  /** Runs SQL and returns the result as an apache-arrow Table over the engine's memory (no copy). */
  queryArrow(sql: string, options: ArrowQueryOptions & QueryOptions & Int64Option = {}): ArrowTable {
    options = optionsObject(options);
    const int64 = int64Mode(options.int64, this.int64);
    return this.#withTables(sql, options as QueryOptions, (handle, text) => {
      refuseWrites(handle, text, "queryArrow");
      return tableWithInt64(queryArrow(handle, text, options), int64);
    });
  }

  /** queryArrow() off the JS thread (queued with this connection's other off-thread calls). */
  async queryArrowAsync(
    sql: string,
    options: ArrowQueryOptions & QueryOptions & AsyncOptions & ProgressOptions & Int64Option = {},
  ): Promise<ArrowTable> {
    options = optionsObject(options);
    if (options.onProgress && typeof sql === "string") {
      return await this.#withProgress(options, (queryId) => this.queryArrowAsync(sql, { ...options, queryId, onProgress: undefined }));
    }
    const int64 = int64Mode(options.int64, this.int64);
    return await this.#withTablesAsync(sql, options as QueryOptions & AsyncOptions, async (lane, handle, text) => {
      refuseWrites(handle, text, "queryArrowAsync"); // on the JS thread, once this connection's earlier calls are done
      return tableWithInt64(await queryArrowOffThread(lane, handle, text, options), int64);
    });
  }

  /** What this connection's cursors and statements run on (made once, on first use). */
  #rowSource: RowSource | undefined;

  #rows(): RowSource {
    return this.#rowSource ??= {
      int64: this.int64,
      rows: (sql, params) => this.#withTables(sql, { params }, (handle, text) => queryRows(handle, text, params)),
      rowsAsync: (sql, params, options) =>
        this.#withTablesAsync(sql, { ...optionsObject(options), params }, (lane, handle, text) => queryRowsOffThread(lane, handle, text, params)),
      run: (sql, params) => this.query(sql, ROWS_FORMAT, { params }).rowsWritten,
      runAsync: async (sql, params, options) => (await this.queryAsync(sql, ROWS_FORMAT, { params, signal: optionsObject(options).signal })).rowsWritten,
      stream: (sql, params, options) => this.stream(sql, ROWS_FORMAT, { params, signal: optionsObject(options).signal }),
    };
  }

  /**
   * Runs `run` with the call's queryId (the caller's, or a new one) while a ProgressWatch
   * (src/policy/progress_watch.ts) follows the query carrying it and reports until the call settles.
   */
  async #withProgress<T>(options: ProgressOptions & CancelOptions, run: (queryId: string) => Promise<T>): Promise<T> {
    const watch = this.#progressWatch(queryIdOf(options.queryId), options);
    try {
      return await run(watch.queryId);
    } finally {
      watch.stop();
    }
  }

  #progressWatch(queryId: string, options: ProgressOptions): ProgressWatch {
    this.#handle.check();
    return new ProgressWatch(queryId, () => new Connection(this.path), options.onProgress!);
  }

  /** Runs `run` with the SQL's registered JS tables registered in the engine for the call. */
  #withTables<T>(sql: string, options: QueryOptions, run: (handle: Pointer, sql: string) => T): T {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    this.#checkExclusive();
    const handle = this.handle();
    this.#policy.admit(sql, options?.params);
    const plan = this.#policy.plan(options);
    const tables = tablesFor(this, handle, sql);
    try {
      return runPlanned(handle, plan, tables.sql, (marked) => run(handle, marked));
    } finally {
      tables.release();
    }
  }

  /** #withTables() off the JS thread: the tables are registered while the call runs (see queryAsync). */
  async #withTablesAsync<T>(
    sql: string,
    options: QueryOptions & AsyncOptions,
    run: (lane: Lane, handle: Pointer, sql: string) => Promise<T>,
  ): Promise<T> {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const checked = checkSignal(options?.signal);
    this.#checkExclusive();
    const handle = this.#livePointer();
    this.#policy.admit(sql, options?.params);
    const plan = this.#policy.plan(options);
    const killer = killOnAbort(this.path, plan.queryId, checked);
    try {
      return await this.#handle.run(this, async (lane) => {
        const tables = tablesFor(this, handle, sql);
        try {
          return await runPlannedOnLane(lane, handle, plan, tables.sql, (marked) => run(lane, handle, marked));
        } finally {
          killer.settled();
          tables.release();
        }
      }, checked);
    } catch (e) {
      if (!checked?.aborted) killer.settled(); // refused before it ran; after an abort the kill goes on
      throw e;
    }
  }

  /**
   * Runs SQL as a stream of Arrow RecordBatches (sync and async iterable) with bounded memory.
   * Leaving the loop early cancels the query. A batch is valid until the next one is requested.
   * The connection runs nothing else until the stream ends.
   */
  streamArrow(sql: string, options: ArrowStreamOptions = {}): ArrowBatchStream {
    options = optionsObject(options);
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const host = this.#streamHost();
    this.#policy.admit(sql, (options as QueryOptions).params);
    const tables = tablesFor(this, host.connection(), sql);
    try {
      return new ArrowBatchStream(host, tables.sql, options, tables);
    } catch (e) {
      tables.release();
      throw e;
    }
  }

  /**
   * Makes JS data readable as `arrowstream('name')` until unregister(name): an apache-arrow
   * Table/RecordBatch (scanned in place), an array of row objects, a record of column arrays or
   * a TableReader (converted to Arrow once, now).
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * using conn = connect();
   * conn.register("people", [{ name: "ann", age: 41 }, { name: "bob", age: 7 }]);
   * conn.query("SELECT name FROM arrowstream('people') WHERE age > 18", "TSV").text(); // "ann\n"
   * ```
   */
  register(name: string, data: RegisterData): void {
    this.#handle.check();
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
    this.#checkExclusive();
    const handle = this.handle();
    const query = buildSql(strings, values);
    try {
      this.#policy.admit(query.sql, query.params);
      const tables = tablesFor(this, handle, query.sql, query.tables);
      try {
        refuseWrites(handle, tables.sql, "sql``");
        return queryArrow(handle, tables.sql, { params: query.params });
      } finally {
        tables.release();
      }
    } finally {
      for (const scan of query.tables.values()) scan.free();
    }
  }

  /**
   * Closes the connection (its open stream, registered tables). Idempotent. With off-thread calls
   * in flight, they finish first (the engine cannot stop a running query) and the connection is
   * freed after the last one.
   */
  close(): void {
    if (this.#handle.closed) return;
    const exclusive = this.#exclusive;
    this.#exclusive = undefined;
    exclusive?.close();
    this.#handle.close(() => releaseTables(this));
  }

  /** close(), resolving once the connection is freed (after the off-thread calls made before it). */
  closeAsync(): Promise<void> {
    this.close();
    return this.#handle.whenFreed();
  }

  /** Runs `task` once the native connection is freed: now, or after the off-thread calls in flight. */
  protected afterFree(task: () => void): void {
    if (this.#handle.freed) task();
    else this.#afterFree.push(task);
  }

  /** Closes the connection once the calls already made have finished (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.closeAsync();
  }

  /** Closes the connection (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * A statement with {name:Type} placeholders, in the shape of bun:sqlite (all/get/values/run/iterate).
   *
   * @example
   * ```ts
   * import { connect } from "./mod.ts";
   * using conn = connect();
   * const stmt = conn.prepare<{ n: number }, { k: number }>("SELECT toUInt8(number) AS n FROM numbers({k:UInt8})");
   * const rows: { n: number }[] = stmt.all({ k: 3 }); // [{ n: 0 }, { n: 1 }, { n: 2 }]
   * ```
   */
  prepare<R extends object = Row, P extends QueryParams = QueryParams>(sql: string, options: Int64Option = {}): Statement<R, P> {
    this.#handle.check();
    return statementOn<R, P>(this.#rows(), sql, options ?? {});
  }

  /**
   * The output of `sql` in chunks of `format` (sync or async iteration; leaving the loop cancels
   * the query). The connection runs nothing else until the stream ends or is closed.
   */
  stream<F extends string>(sql: string, format?: Format<F>, options?: StreamOptions & ProgressOptions): QueryStream;
  stream(sql: string, format = "CSV", options: StreamOptions & ProgressOptions = {}): QueryStream {
    options = optionsObject(options);
    if (typeof sql !== "string") return new QueryStream(this.#streamHost(), format, sql, options); // its own error
    const host = this.#streamHost();
    this.#policy.admit(sql, options.params);
    // Registered JS tables the SQL names stay registered in the engine until the stream is freed.
    const tables = tablesFor(this, this.#livePointer(), sql);
    // With a signal, an abort also kills the query in the engine (a block may take long to come).
    // onProgress follows the query by its id: one is given to a stream that has none.
    const queryId = options.queryId ?? (options.onProgress ? queryIdOf(undefined) : undefined);
    const plan = this.#policy.plan({ signal: options.signal, queryId });
    let watch: ProgressWatch | undefined;
    const afterStream = () => {
      tables.release();
      watch?.stop();
    };
    try {
      if (options.onProgress) watch = this.#progressWatch(plan.queryId!, options);
      return this.#planned(host, plan, tables.sql, options.signal, afterStream, (h, marked) =>
        new QueryStream(h, format, marked, { ...options, queryId: plan.queryId }));
    } catch (e) {
      afterStream();
      throw e;
    }
  }

  /**
   * A streaming INSERT: `sql` without FORMAT clause or data, chunks appended in `format`. With a
   * `signal` or `queryId`, an abort or `cancel(queryId)` kills the INSERT in the engine, also
   * during an append or done() (nothing of it is committed).
   */
  insertStream<F extends string>(sql: string, format?: Format<F>, options?: InsertStreamOptions): InsertStream;
  insertStream(sql: string, format = "CSV", options: InsertStreamOptions = {}): InsertStream {
    options = optionsObject(options);
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`); // before the policy reads it
    this.#policy.refuseInSandbox("streaming INSERT");
    this.#policy.admit(sql, options.params);
    const host = this.#streamHost();
    const plan = this.#policy.plan({ signal: options.signal, queryId: options.queryId });
    return this.#planned(host, plan, sql, options.signal, () => {}, (h, marked) => new InsertStream(h, marked, format, options));
  }

  /**
   * Opens a stream (`open`) of `sql` as `plan` marks it: an abort of `signal` kills its query in
   * the engine until the stream frees the connection (then `after` runs), and its errors name
   * positions in `sql`.
   */
  #planned<S>(
    host: StreamHost,
    plan: QueryPlan,
    sql: string,
    signal: AbortSignal | undefined,
    after: () => void,
    open: (host: StreamHost, marked: string) => S,
  ): S {
    const killer = killOnAbort(this.path, plan.queryId, checkSignal(signal));
    try {
      return open({
        ...host,
        reserve: (stream) => {
          const release = host.reserve(stream);
          return () => {
            release();
            killer.settled();
            after();
          };
        },
        errorOf: (e) => plan.unmark(e, sql),
      }, plan.mark(sql));
    } catch (e) {
      killer.settled();
      throw e;
    }
  }

  #streamHost(): StreamHost {
    this.#checkExclusive();
    this.handle(); // closed, or busy with off-thread calls: refused before a stream holds the connection
    return {
      parent: this.#handle,
      connection: () => {
        this.#checkExclusive();
        return this.handle();
      },
      reserve: (stream) => this.#reserve(stream),
    };
  }

  /**
   * Stops the running query whose `queryId` option was `queryId` (on this connection or another
   * one to the same data): the engine cancels it within milliseconds and its call fails with
   * QUERY_WAS_CANCELLED (394). True when such a query was running. Never waits for it.
   */
  cancel(queryId: string): boolean {
    // Not handle(): the kill runs on a side connection, and the query to stop is usually an
    // off-thread call of this very connection (busy then; README "Async queries": `conn.cancel(progress.queryId)`).
    if (this.closed) throw new ChdbClosedError("the connection is closed");
    return killQuery(this.path, queryId);
  }

  // ---- Verbs for handlers and scripts (src/connection/command.ts, src/connection/insert.ts) ----

  /** Runs a statement for its effect (DDL, INSERT ... SELECT, SET...) and returns the engine's statistics. */
  command(sql: string, options: QueryOptions = {}): QueryStats {
    return command(this, sql, options);
  }

  /** command() off the JS thread. */
  commandAsync(sql: string, options: QueryOptions & AsyncOptions = {}): Promise<QueryStats> {
    return commandAsync(this, sql, options);
  }

  /**
   * Inserts JS data into `table` (`t` or `db.t`) through Arrow, columns matched by name: an
   * apache-arrow Table/RecordBatch (read in place), an array of row objects or a record of
   * column arrays (converted to Arrow once). Returns the statistics (`rowsWritten`...).
   */
  insert(table: string, data: InsertData): QueryStats {
    return insert(this, table, data);
  }

  /** insert() off the JS thread. */
  insertAsync(table: string, data: InsertData): Promise<QueryStats> {
    return insertAsync(this, table, data);
  }

  /** A DB-API 2.0 cursor (execute, fetchone, fetchmany, fetchall, description, rowcount). */
  cursor(): Cursor {
    this.#handle.check();
    return cursorOn(this.#rows());
  }
}
