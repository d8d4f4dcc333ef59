// streamArrow(): RecordBatches pulled one at a time from a streaming Arrow query, so memory
// stays bounded whatever the result size. A batch's buffers are engine memory viewed without a
// copy; they are freed when the iteration moves on (or with `retain`, when the batch is garbage).
import type { RecordBatch, Schema, Table } from "apache-arrow";
import { RESULT_INFO_WORDS, Status } from "../../ffi/symbols.ts";
import { fromCBuffer, utf8 } from "../core/encoding.ts";
import { ChdbArgumentError, ChdbError, statusError } from "../core/errors.ts";
import { native } from "../core/native.ts";
import type { NativeHandle } from "../core/native_handle.ts";
import { encodeParams } from "../core/params.ts";
import { type StreamHost, streamHandle } from "./query_stream.ts";
import type { NativeArrowMemory } from "../arrow/native_arrow_memory.ts";
import { errorOf } from "../core/native_result.ts";
import { adoptArrow, arrowFlags, type ArrowQueryOptions } from "../arrow/query_arrow.ts";
import type { QueryTables } from "../arrow/query_tables.ts";

/** Options of `streamArrow()`. */
export interface ArrowStreamOptions extends ArrowQueryOptions {
  /**
   * Keep every yielded batch valid after the iteration moves on (its memory is then freed by
   * garbage collection, which does not see native memory: avoid for large results).
   * Default false: a batch is valid until the next one is requested.
   */
  retain?: boolean;
}

const outHandle = new BigUint64Array(1);
const outResult = new BigUint64Array(1);
const info = new BigUint64Array(RESULT_INFO_WORDS);
const ERR_CAP = 4096;

/** The RecordBatches of a streaming Arrow query, one at a time (sync or async iteration); leaving the loop cancels the query. */
export class ArrowBatchStream implements Iterable<RecordBatch>, AsyncIterable<RecordBatch>, Disposable {
  // The native stream (src/core/native_handle.ts): freed by close(), the end of the result, garbage
  // collection or exit; until then it holds the connection reserved.
  readonly #handle: NativeHandle;
  #retain: boolean;
  #current: NativeArrowMemory | null = null;
  #schema: Schema | undefined;

  /** Made by `Connection.streamArrow()`. */
  constructor(host: StreamHost, sql: string, options: ArrowStreamOptions, tables: QueryTables) {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const flags = arrowFlags(options);
    this.#retain = options.retain === true;
    const lib = native();
    const sqlBytes = utf8(sql);
    const paramBytes = encodeParams(options.params);
    outHandle[0] = 0n;
    const status = lib.fn.chffi_stream_arrow_open(
      host.connection(),
      sqlBytes,
      sqlBytes.length,
      paramBytes,
      paramBytes.length,
      flags,
      outHandle,
      outResult,
      info,
    );
    const result = lib.pointer(outResult[0]);
    try {
      if (status !== Status.OK) throw errorOf(status, info);
    } finally {
      lib.fn.chffi_result_free(result);
    }
    const stream = lib.pointer(outHandle[0]);
    if (stream === null) throw new ChdbError("the shim reported success but returned no stream");
    this.#handle = streamHandle(this, host, stream, (p) => native().fn.chffi_stream_arrow_free(p), "the Arrow stream", () => tables.release());
  }

  /** The result's schema, known once the first batch (or the end of an empty result) arrived. */
  get schema(): Table["schema"] | undefined {
    return this.#schema;
  }

  /** True once the stream was closed or reached its end. */
  get closed(): boolean {
    return this.#handle.closed;
  }

  /** The next batch, or null when the query has no more rows. */
  next(): RecordBatch | null {
    const stream = this.#handle.use();
    this.#releaseCurrent();
    const lib = native();
    const err = new Uint8Array(ERR_CAP);
    for (;;) {
      const status = lib.fn.chffi_stream_arrow_next(stream, outHandle, err, ERR_CAP);
      if (status !== Status.OK) {
        this.close();
        throw statusError(status, fromCBuffer(err));
      }
      const arrow = lib.pointer(outHandle[0]);
      if (arrow === null) {
        this.close();
        return null;
      }
      const { memory, schema, batches } = adoptArrow(lib, arrow);
      this.#schema ??= schema;
      if (batches.length === 0 || batches[0].numRows === 0) {
        memory.close();
        continue;
      }
      if (!this.#retain) this.#current = memory;
      return batches[0];
    }
  }

  #releaseCurrent(): void {
    this.#current?.close();
    this.#current = null;
  }

  /** Cancels the query if it is still running and frees everything. Idempotent. */
  close(): void {
    this.#releaseCurrent();
    this.#handle.close();
  }

  /** Closes the stream (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The batches, in order; leaving the loop early closes the stream. */
  *[Symbol.iterator](): Generator<RecordBatch, void, undefined> {
    try {
      for (let batch = this.next(); batch !== null; batch = this.next()) yield batch;
    } finally {
      this.close();
    }
  }

  /** The batches, in order, between which the event loop runs; leaving the loop early closes the stream. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch, void, undefined> {
    try {
      for (let batch = this.next(); batch !== null; batch = this.next()) yield batch;
    } finally {
      this.close();
    }
  }
}
