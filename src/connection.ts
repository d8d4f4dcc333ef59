// A connection to the in-process engine: open, query, close.
import { resolve } from "node:path";
import { Status } from "../ffi/symbols.ts";
import type { Pointer } from "../ffi/types.ts";
import { type AsyncOptions, AsyncQueue, checkSignal } from "./async.ts";
import { encodeStringList, fromCBuffer, utf8 } from "./encoding.ts";
import {
  ChdbArgumentError,
  ChdbBusyError,
  ChdbClosedError,
  ChdbConnectionError,
  ChdbNotImplementedError,
  ChdbPathConflictError,
} from "./errors.ts";
import { native, runAtExit } from "./native.ts";
import { ResultSlots, takeResult } from "./native_result.ts";
import { encodeParams, type QueryParams } from "./params.ts";
import { LazyQuery } from "./lazy.ts";
import type { Result } from "./result.ts";
import { Cursor } from "./cursor.ts";
import { Statement } from "./statement.ts";
import { InsertStream, QueryStream, type StreamHost, type StreamOptions } from "./stream.ts";

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
// Off-thread calls never use these: each has its own ResultSlots.
const outPointer = new BigUint64Array(1);
const scratch = new ResultSlots();
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

const notYet: Record<string, string> = {
  arrowtable: "Arrow Table results",
  dataframe: "Arrow Table results",
};

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

  /** Set by close(); the handle itself is freed once the off-thread calls made before have finished. */
  #closing: Promise<void> | undefined;

  get closed(): boolean {
    return this.#closing !== undefined || !live.has(this.#id);
  }

  /** The native handle; throws once the connection is closed. */
  protected handle(): Pointer {
    const handle = this.#closing === undefined ? live.get(this.#id) : undefined;
    if (handle === undefined) throw new ChdbClosedError("the connection is closed");
    return handle;
  }

  /**
   * Runs one or more SQL statements and returns the output of the last one in `format`
   * (any ClickHouse output format: CSV, TSV, JSON, JSONEachRow, Pretty, Parquet, Arrow...).
   */
  query(sql: string, format = "CSV", options: QueryOptions = {}): Result {
    const q = this.#prepareQuery(sql, format, options);
    const status = native().fn.chffi_query(
      q.handle, q.sql, q.sql.length, q.format, q.format.length, q.params, q.params.length, scratch.out, scratch.info,
    );
    return takeResult(status, scratch, format);
  }

  /**
   * query() off the JS thread: the event loop keeps running while the engine works. Calls on one
   * connection run one at a time in call order; use several connections for parallel queries.
   */
  async queryAsync(sql: string, format = "CSV", options: QueryOptions & AsyncOptions = {}): Promise<Result> {
    const signal = checkSignal(options.signal);
    const q = this.#prepareQuery(sql, format, options);
    return await this.asyncQueue().run(this, async (lane) => {
      const slots = new ResultSlots();
      const status = await lane.fn.chffi_query(
        q.handle, q.sql, q.sql.length, q.format, q.format.length, q.params, q.params.length, slots.out, slots.info,
      );
      return takeResult(status, slots, format);
    }, signal);
  }

  #prepareQuery(sql: string, format: string, options: QueryOptions) {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    if (typeof format !== "string" || format === "") throw new ChdbArgumentError("format must be a non-empty string");
    const missing = notYet[format.toLowerCase()];
    if (missing) throw new ChdbNotImplementedError(`format ${format}: ${missing} are not implemented yet`);
    this.#checkExclusive();
    return { handle: this.handle(), sql: utf8(sql), format: utf8(format), params: encodeParams(options?.params) };
  }

  #async: AsyncQueue | undefined;
  #exclusive: { close(): void } | undefined;

  /** The queue of this connection's off-thread calls (created on first use). */
  protected asyncQueue(): AsyncQueue {
    this.handle();
    return (this.#async ??= new AsyncQueue());
  }

  /**
   * Reserves the connection for a streaming query or INSERT: the engine runs nothing else on it
   * until `owner` gives it back with release(). close() closes the owner first.
   */
  protected reserve(owner: { close(): void }): () => void {
    this.handle();
    this.#checkExclusive();
    this.#exclusive = owner;
    return () => {
      if (this.#exclusive === owner) this.#exclusive = undefined;
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
    this.handle();
    return new LazyQuery(this, sql);
  }

  /** Closes the connection. Idempotent. */
  close(): void {
    void this.#close();
  }

  /** close(), resolving once the connection is freed (after the off-thread calls made before it). */
  closeAsync(): Promise<void> {
    return this.#close();
  }

  #close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (!live.has(this.#id)) return Promise.resolve();
    const exclusive = this.#exclusive;
    this.#exclusive = undefined;
    unclosed.unregister(this);
    const free = () => {
      exclusive?.close();
      closeHandle(this.#id);
    };
    // With off-thread calls in flight, they finish first (the engine cannot stop a running query)
    // and the connection is freed after the last one.
    if (this.#async) return (this.#closing = this.#async.close(free));
    this.#closing = Promise.resolve();
    free();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.closeAsync();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** A statement with {name:Type} placeholders, in the shape of bun:sqlite (all/get/values/run/iterate). */
  prepare(sql: string): Statement {
    this.handle();
    return new Statement(this, sql);
  }

  /**
   * The output of `sql` in chunks of `format` (sync or async iteration; leaving the loop cancels
   * the query). The connection runs nothing else until the stream ends or is closed.
   */
  stream(sql: string, format = "CSV", options: StreamOptions = {}): QueryStream {
    return new QueryStream(this.#streamHost(), format, sql, options);
  }

  /** A streaming INSERT: `sql` without FORMAT clause or data, chunks appended in `format`. */
  insertStream(sql: string, format = "CSV", options: { params?: QueryParams } = {}): InsertStream {
    return new InsertStream(this.#streamHost(), sql, format, options);
  }

  #streamHost(): StreamHost {
    return { owner: this, handle: this.handle(), queue: () => this.asyncQueue(), reserve: (s) => this.reserve(s) };
  }

  /** A DB-API 2.0 cursor (execute, fetchone, fetchmany, fetchall, description, rowcount). */
  cursor(): Cursor {
    this.handle();
    return new Cursor(this);
  }
}
