// Streaming: a query's output in chunks (sync and async iteration, bounded memory, leaving the
// loop cancels the query) and streaming INSERT (append chunks of input, then done()).
// src/stream/ is rank 3 (streamed results and inserts): it imports only src/arrow/ and src/core/.
import { checkSignal } from "../core/abortable.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { cancelledError, watchKills } from "../core/kills.ts";
import type { Pointer } from "../core/native.ts";
import { NativeHandle } from "../core/native_handle.ts";
import { encodeParams, type QueryParams } from "../core/params.ts";
import type { Result } from "../core/result.ts";
import {
  appendToInsert,
  type Chunk,
  appendToInsertOnLane,
  finishInsert,
  finishInsertOnLane,
  freeInsert,
  freeStream,
  nextChunk,
  nextChunkOnLane,
  openInsert,
  openStream,
  type OpenedStream,
  openStreamOnLane,
} from "../core/stream_calls.ts";

/** What a stream needs from its connection. */
export interface StreamHost {
  /** The connection's native handle: a stream's handle is its child (freed before it). */
  readonly parent: NativeHandle;
  /** The connection's pointer for a synchronous call that opens a stream (throws if closed, busy or reserved). */
  readonly connection: () => Pointer;
  /** Reserves the connection for the stream's handle; returns the function that gives it back. */
  readonly reserve: (stream: NativeHandle) => () => void;
  /** The engine's error as the caller gets it (positions in the caller's SQL: QueryPlan.unmark). */
  readonly errorOf?: (e: unknown) => unknown;
}

/**
 * The native handle of a stream: a child of its connection's, holding the connection reserved
 * until it is freed (by close(), the end of the stream, garbage collection or exit).
 */
export function streamHandle(
  owner: object,
  host: StreamHost,
  pointer: Pointer | null,
  free: (pointer: Pointer) => void,
  what: string,
  afterFree?: () => void,
): NativeHandle {
  let release = () => {};
  const handle = new NativeHandle(owner, pointer, free, {
    what,
    parent: host.parent,
    afterFree: () => {
      release();
      afterFree?.();
    },
  });
  try {
    release = host.reserve(handle);
  } catch (e) {
    handle.close(); // frees the native stream; the connection was not reserved
    throw e;
  }
  return handle;
}

function errorFor(host: StreamHost, e: unknown): unknown {
  return host.errorOf === undefined ? e : host.errorOf(e);
}

/** Options of `Connection.stream()`. */
export interface StreamOptions {
  /** Values bound server-side to `{name:Type}` placeholders. */
  params?: QueryParams;
  /** Async iteration stops (and cancels the query) once the signal aborts, between chunks; the
   * engine's query is killed at once (a block may take long to come). */
  signal?: AbortSignal;
  /** An id of your own for the query (as QueryOptions' `queryId`): `cancel(queryId)` stops it. */
  queryId?: string;
}

/** Options of `Connection.insertStream()`: `cancel(queryId)` stops the INSERT too. */
export interface InsertStreamOptions extends StreamOptions {
  /** Stops the INSERT: the engine's INSERT is killed at once (nothing of it is committed); a call
   * the engine is at fails with QUERY_WAS_CANCELLED (394), the stream's next call throws the
   * signal's reason. */
  signal?: AbortSignal;
}

function encodeRequest(sql: string, format: string, params: QueryParams | undefined) {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  if (typeof format !== "string" || format === "") throw new ChdbArgumentError("format must be a non-empty string");
  return { sql: utf8(sql), format: utf8(format), params: encodeParams(params) };
}

/**
 * A streaming query. Iterate it with `for` or `for await` (not both); each chunk is a Result
 * holding a block of rows in the stream's format. The connection runs nothing else until the
 * stream ends or is closed; breaking out of the loop closes it and cancels the query.
 */
export class QueryStream implements Iterable<Result>, AsyncIterable<Result>, Disposable {
  readonly #request: ReturnType<typeof encodeRequest>;
  readonly #signal: AbortSignal | undefined;
  readonly #host: StreamHost;
  // The native stream is opened by the first read; until then the handle holds no pointer.
  readonly #handle: NativeHandle;
  readonly #queryId: string | undefined;
  readonly #killed: () => boolean;

  /** Made by `Connection.stream()`; `options.queryId` is the id the query runs under (if any). */
  constructor(host: StreamHost, readonly format: string, sql: string, options: StreamOptions = {}, afterFree?: () => void) {
    this.#request = encodeRequest(sql, format, options.params);
    this.#signal = checkSignal(options.signal);
    this.#host = host;
    this.#queryId = options.queryId;
    this.#killed = watchKills(options.queryId);
    this.#handle = streamHandle(this, host, null, freeStream, "the stream", afterFree);
  }

  /** True once the stream has ended or was closed. */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /** A failed call ends the stream; the error is the host's version of it. */
  #fail(e: unknown): never {
    this.close();
    throw errorFor(this.#host, e);
  }

  /** The first chunk; the stream, unless that chunk was its last, is this one's to free. */
  #opened(opened: OpenedStream): Result | null {
    if (opened.stream !== null) this.#handle.adopt(opened.stream);
    return this.#chunk(opened);
  }

  /**
   * The stream ends with its last chunk (freed at once: no call is left to make) or an empty one.
   * libchdb ends a killed query's stream as if it were complete: an end after an abort of the
   * signal throws its reason, after a kill of the query's id QUERY_WAS_CANCELLED (394), as the
   * query would fail unstreamed (the rows of a last chunk are then dropped with the end).
   */
  #chunk({ result, last }: Chunk): Result | null {
    if (last || result.length === 0) {
      this.close();
      if (this.#signal?.aborted) throw this.#signal.reason;
      if (this.#killed()) throw cancelledError(this.#queryId);
    }
    return result.length > 0 ? result : null;
  }

  /** The next chunk, or null at the end. Throws ChdbBusyError while a nextAsync() is in flight. */
  next(): Result | null {
    if (this.#handle.closed) return null;
    const stream = this.#handle.use();
    const connection = stream === null ? this.#host.parent.use() : null;
    try {
      if (stream === null) return this.#opened(openStream(connection!, this.#request, this.format));
      return this.#chunk(nextChunk(stream, this.format));
    } catch (e) {
      this.#fail(e);
    }
  }

  /** The next chunk off the JS thread, or null at the end. Calls queue in order. */
  async nextAsync(): Promise<Result | null> {
    if (this.#handle.closed) return null;
    if (this.#signal?.aborted) {
      this.close();
      throw this.#signal.reason;
    }
    const connection = this.#host.parent.current;
    // Like every queued call, it runs even if close() comes meanwhile (the stream is freed after it).
    return await this.#handle.run(this, async (lane) => {
      try {
        const stream = this.#handle.current;
        if (stream === null) return this.#opened(await openStreamOnLane(lane, connection, this.#request, this.format));
        return this.#chunk(await nextChunkOnLane(lane, stream, this.format));
      } catch (e) {
        this.#fail(e);
      }
    });
  }

  /** The chunks, in order; leaving the loop early cancels the query. */
  *[Symbol.iterator](): Iterator<Result> {
    try {
      for (let chunk = this.next(); chunk !== null; chunk = this.next()) yield chunk;
    } finally {
      this.close();
    }
  }

  /** The chunks, in order, between which the event loop runs; leaving the loop early cancels the query. */
  async *[Symbol.asyncIterator](): AsyncIterator<Result> {
    try {
      for (let chunk = await this.nextAsync(); chunk !== null; chunk = await this.nextAsync()) yield chunk;
    } finally {
      this.close();
    }
  }

  /**
   * Cancels the query if it is still running and frees the stream (after a nextAsync() in
   * flight). Idempotent.
   */
  close(): void {
    this.#handle.close();
  }

  /** Closes the stream, cancelling the query if it is still running (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A streaming INSERT: `sql` is an INSERT without FORMAT clause or data (`INSERT INTO t` or
 * `INSERT INTO t (a, b)`), `format` the input format of the appended chunks. Chunks may split
 * rows anywhere. done() commits and returns the write metrics; cancel() abandons the INSERT.
 */
export class InsertStream implements Disposable {
  readonly #handle: NativeHandle;
  readonly #signal: AbortSignal | undefined;

  /** Made by `Connection.insertStream()`. */
  constructor(host: StreamHost, sql: string, readonly format: string, options: InsertStreamOptions = {}) {
    const r = encodeRequest(sql, format, options.params);
    this.#signal = checkSignal(options.signal);
    if (this.#signal?.aborted) throw this.#signal.reason;
    const connection = host.connection();
    let insert: Pointer;
    try {
      insert = openInsert(connection, r);
    } catch (e) {
      throw errorFor(host, e);
    }
    this.#handle = streamHandle(this, host, insert, freeInsert, "the insert stream");
  }

  static #bytes(chunk: Uint8Array | string): Uint8Array {
    if (typeof chunk === "string") return utf8(chunk);
    if (chunk instanceof Uint8Array) return chunk;
    throw new ChdbArgumentError("append() takes a Uint8Array or a string");
  }

  #fail(e: unknown): never {
    this.cancel();
    throw e;
  }

  /** After an abort, every call cancels the INSERT (if still open) and throws the signal's reason. */
  #checkSignal(): void {
    if (this.#signal?.aborted) this.#fail(this.#signal.reason);
  }

  /**
   * Appends a chunk of input. An engine error cancels the INSERT and is thrown. Throws
   * ChdbBusyError while an appendAsync() or doneAsync() is in flight.
   */
  append(chunk: Uint8Array | string): this {
    const bytes = InsertStream.#bytes(chunk);
    this.#checkSignal();
    const insert = this.#handle.use()!;
    try {
      appendToInsert(insert, bytes);
    } catch (e) {
      this.#fail(e);
    }
    return this;
  }

  /** append() off the JS thread (the engine may block while it writes). Calls queue in order. */
  async appendAsync(chunk: Uint8Array | string): Promise<this> {
    const bytes = InsertStream.#bytes(chunk);
    this.#checkSignal();
    try {
      await this.#handle.run(this, (lane) => appendToInsertOnLane(lane, this.#handle.current, bytes));
    } catch (e) {
      this.#fail(e);
    }
    return this;
  }

  /** Ends the input and commits; the Result carries rowsWritten and bytesWritten. */
  done(): Result {
    this.#checkSignal();
    const insert = this.#handle.use()!;
    try {
      return finishInsert(insert, this.format);
    } finally {
      this.#handle.close();
    }
  }

  /** done() off the JS thread, after the appendAsync() calls made before it. */
  async doneAsync(): Promise<Result> {
    this.#checkSignal();
    try {
      return await this.#handle.run(this, (lane) => finishInsertOnLane(lane, this.#handle.current, this.format));
    } finally {
      this.#handle.close();
    }
  }

  /**
   * Abandons the INSERT (data not yet written is dropped). Idempotent. Calls made before it
   * finish first; the INSERT is then cancelled, never committed.
   */
  cancel(): void {
    this.#handle.close();
  }

  /** cancel() unless done() ran. */
  close(): void {
    this.cancel();
  }

  /** Closes the stream (`using`); data not yet ended by end() is not committed. */
  [Symbol.dispose](): void {
    this.close();
  }
}
