// streamArrow(): RecordBatches pulled one at a time from a streaming Arrow query, so memory
// stays bounded whatever the result size. A batch's buffers are engine memory viewed without a
// copy; they are freed when the iteration moves on (or with `retain`, when the batch is garbage).
import type { RecordBatch, Schema, Table } from "../arrow/apache_arrow.ts";
import { freeArrowStream, nextArrowBatch, openArrowStream } from "../core/arrow_calls.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import type { NativeHandle } from "../core/native_handle.ts";
import { encodeParams } from "../core/params.ts";
import { type StreamHost, streamHandle } from "./query_stream.ts";
import type { NativeArrowMemory } from "../arrow/native_arrow_memory.ts";
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
    const stream = openArrowStream(host.connection(), { sql: utf8(sql), params: encodeParams(options.params), flags });
    this.#handle = streamHandle(this, host, stream, freeArrowStream, "the Arrow stream", () => tables.release());
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
    for (;;) {
      let arrow;
      try {
        arrow = nextArrowBatch(stream!);
      } catch (e) {
        this.close();
        throw e;
      }
      if (arrow === null) {
        this.close();
        return null;
      }
      const { memory, schema, batches } = adoptArrow(arrow);
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
