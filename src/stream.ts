// Streaming: a query's output in chunks (sync and async iteration, bounded memory, leaving the
// loop cancels the query) and streaming INSERT (append chunks of input, then done()).
import type { Pointer } from "../ffi/types.ts";
import { type AsyncQueue, checkSignal } from "./async.ts";
import { utf8 } from "./encoding.ts";
import { ChdbArgumentError, ChdbClosedError } from "./errors.ts";
import { native } from "./native.ts";
import { ResultSlots, takeResult } from "./native_result.ts";
import { encodeParams, type QueryParams } from "./params.ts";
import type { Result } from "./result.ts";

/** What a stream needs from its connection. */
export interface StreamHost {
  readonly owner: object;
  readonly handle: Pointer;
  readonly queue: () => AsyncQueue;
  /** Reserves the connection for `stream`; returns the function that gives it back. */
  readonly reserve: (stream: { close(): void }) => () => void;
}

export interface StreamOptions {
  params?: QueryParams;
  /** Async iteration stops (and cancels the query) once the signal aborts, between chunks. */
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
  readonly #host: StreamHost;
  readonly #request: ReturnType<typeof encodeRequest>;
  readonly #signal: AbortSignal | undefined;
  readonly #release: () => void;
  #stream: Pointer | null = null;
  #ended = false;
  #running = false; // an off-thread call is in flight: freeing waits for it
  #closeRequested = false;

  constructor(host: StreamHost, readonly format: string, sql: string, options: StreamOptions = {}) {
    this.#request = encodeRequest(sql, format, options.params);
    this.#signal = checkSignal(options.signal);
    this.#host = host;
    this.#release = host.reserve(this);
  }

  /** True once the stream has ended or was closed. */
  get closed(): boolean {
    return this.#ended;
  }

  #check(): void {
    if (this.#running) throw new ChdbArgumentError("a stream is read by one loop at a time");
  }

  #opened(status: number, out: BigUint64Array, slots: ResultSlots): void {
    try {
      takeResult(status, slots, this.format); // an empty result, or the engine's error
    } catch (e) {
      this.close();
      throw e;
    }
    this.#stream = native().pointer(out[0]);
  }

  #chunk(status: number, slots: ResultSlots): Result | null {
    let chunk: Result;
    try {
      chunk = takeResult(status, slots, this.format);
    } catch (e) {
      this.close();
      throw e;
    }
    if (chunk.length > 0) return chunk;
    this.close();
    return null;
  }

  /** The next chunk, or null at the end. */
  next(): Result | null {
    this.#check();
    if (this.#ended) return null;
    const fn = native().fn;
    const slots = new ResultSlots();
    if (this.#stream === null) {
      const out = new BigUint64Array(1);
      const r = this.#request;
      const status = fn.chffi_stream_open(
        this.#host.handle, r.sql, r.sql.length, r.format, r.format.length, r.params, r.params.length, out, slots.out, slots.info,
      );
      this.#opened(status, out, slots);
    }
    return this.#chunk(fn.chffi_stream_next(this.#stream, slots.out, slots.info), slots);
  }

  /** The next chunk off the JS thread, or null at the end. */
  async nextAsync(): Promise<Result | null> {
    this.#check();
    if (this.#ended) return null;
    if (this.#signal?.aborted) {
      this.close();
      throw this.#signal.reason;
    }
    this.#running = true;
    try {
      // Everything, freeing included, happens inside the queued call: the connection's close()
      // frees the connection only after it.
      return await this.#host.queue().run(this.#host.owner, async (lane) => {
        const slots = new ResultSlots();
        if (this.#stream === null) {
          const out = new BigUint64Array(1);
          const r = this.#request;
          const status = await lane.fn.chffi_stream_open(
            this.#host.handle, r.sql, r.sql.length, r.format, r.format.length, r.params, r.params.length, out, slots.out,
            slots.info,
          );
          this.#running = false;
          this.#opened(status, out, slots);
          if (this.#closeRequested) return this.#closeNow();
          this.#running = true;
        }
        const status = await lane.fn.chffi_stream_next(this.#stream, slots.out, slots.info);
        this.#running = false;
        const chunk = this.#chunk(status, slots);
        return this.#closeRequested ? this.#closeNow() : chunk;
      });
    } finally {
      this.#running = false;
    }
  }

  #closeNow(): null {
    this.close();
    return null;
  }

  *[Symbol.iterator](): Iterator<Result> {
    try {
      for (let chunk = this.next(); chunk !== null; chunk = this.next()) yield chunk;
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Result> {
    try {
      for (let chunk = await this.nextAsync(); chunk !== null; chunk = await this.nextAsync()) yield chunk;
    } finally {
      this.close();
    }
  }

  /** Cancels the query if it is still running and frees the stream. Idempotent. */
  close(): void {
    if (this.#running) {
      this.#closeRequested = true; // freed when the call in flight returns
      return;
    }
    if (this.#ended && this.#stream === null) return;
    this.#ended = true;
    const stream = this.#stream;
    this.#stream = null;
    native().fn.chffi_stream_free(stream);
    this.#release();
  }

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
  readonly #host: StreamHost;
  readonly #release: () => void;
  #insert: Pointer | null;

  constructor(host: StreamHost, sql: string, readonly format: string, options: { params?: QueryParams } = {}) {
    const r = encodeRequest(sql, format, options.params);
    this.#host = host;
    this.#release = host.reserve(this);
    const slots = new ResultSlots();
    const out = new BigUint64Array(1);
    const status = native().fn.chffi_insert_open(
      host.handle, r.sql, r.sql.length, r.format, r.format.length, r.params, r.params.length, out, slots.out, slots.info,
    );
    try {
      takeResult(status, slots, format);
    } catch (e) {
      this.#release();
      throw e;
    }
    this.#insert = native().pointer(out[0]);
  }

  #live(): Pointer {
    if (this.#insert === null) throw new ChdbClosedError("the insert stream is finished");
    return this.#insert;
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

  /** Appends a chunk of input. An engine error cancels the INSERT and is thrown. */
  append(chunk: Uint8Array | string): this {
    const bytes = InsertStream.#bytes(chunk);
    const slots = new ResultSlots();
    const status = native().fn.chffi_insert_append(this.#live(), bytes, bytes.length, slots.out, slots.info);
    try {
      takeResult(status, slots, this.format);
    } catch (e) {
      this.#fail(e);
    }
    return this;
  }

  /** append() off the JS thread (the engine may block while it writes). */
  async appendAsync(chunk: Uint8Array | string): Promise<this> {
    const bytes = InsertStream.#bytes(chunk);
    const insert = this.#live();
    const slots = new ResultSlots();
    const status = await this.#host.queue().run(
      this.#host.owner,
      (lane) => lane.fn.chffi_insert_append(insert, bytes, bytes.length, slots.out, slots.info),
    );
    try {
      takeResult(status, slots, this.format);
    } catch (e) {
      this.#fail(e);
    }
    return this;
  }

  #finish(status: number, slots: ResultSlots): Result {
    const insert = this.#insert;
    this.#insert = null;
    native().fn.chffi_insert_free(insert);
    this.#release();
    return takeResult(status, slots, this.format);
  }

  /** Ends the input and commits; the Result carries rowsWritten and bytesWritten. */
  done(): Result {
    const slots = new ResultSlots();
    return this.#finish(native().fn.chffi_insert_done(this.#live(), slots.out, slots.info), slots);
  }

  /** done() off the JS thread. */
  async doneAsync(): Promise<Result> {
    const insert = this.#live();
    const slots = new ResultSlots();
    const status = await this.#host.queue().run(
      this.#host.owner,
      (lane) => lane.fn.chffi_insert_done(insert, slots.out, slots.info),
    );
    return this.#finish(status, slots);
  }

  /** Abandons the INSERT (data not yet written is dropped). Idempotent. */
  cancel(): void {
    const insert = this.#insert;
    if (insert === null) return;
    this.#insert = null;
    native().fn.chffi_insert_free(insert);
    this.#release();
  }

  /** cancel() unless done() ran. */
  close(): void {
    this.cancel();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
