// streamArrow(): RecordBatches pulled one at a time from a streaming Arrow query, so memory
// stays bounded whatever the result size. A batch's buffers are engine memory viewed without a
// copy; they are freed when the iteration moves on (or with `retain`, when the batch is garbage).
import type { RecordBatch, Schema } from "apache-arrow";
import { RESULT_INFO_WORDS, Status } from "../../ffi/symbols.ts";
import type { Pointer } from "../../ffi/types.ts";
import { fromCBuffer, utf8 } from "../encoding.ts";
import { ChdbArgumentError, ChdbClosedError, ChdbError, ChdbQueryError } from "../errors.ts";
import { native, runAtExit } from "../native.ts";
import { encodeParams } from "../params.ts";
import type { NativeArrowMemory } from "./owner.ts";
import { errorOf } from "../native_result.ts";
import { adoptArrow, arrowFlags, type ArrowQueryOptions } from "./query.ts";
import type { QueryTables } from "./tables.ts";

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

/** Open streams: closed at exit before the connections (the engine must not stop under them). */
const allOpen = new Set<ArrowBatchStream>();
runAtExit(() => {
  for (const s of [...allOpen]) s.close();
});

export class ArrowBatchStream implements Iterable<RecordBatch>, AsyncIterable<RecordBatch>, Disposable {
  #handle: Pointer | null;
  #tables: QueryTables;
  #onClose: (() => void)[] = [];
  #retain: boolean;
  #current: NativeArrowMemory | null = null;
  #schema: Schema | undefined;

  constructor(conn: Pointer, sql: string, options: ArrowStreamOptions, tables: QueryTables) {
    if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
    const flags = arrowFlags(options);
    this.#tables = tables;
    this.#retain = options.retain === true;
    const lib = native();
    const sqlBytes = utf8(sql);
    const paramBytes = encodeParams(options.params);
    outHandle[0] = 0n;
    const status = lib.fn.chffi_stream_arrow_open(
      conn,
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
    this.#handle = lib.pointer(outHandle[0]);
    if (this.#handle === null) throw new ChdbError("the shim reported success but returned no stream");
    allOpen.add(this);
  }

  /** Runs `fn` once when the stream closes (the connection uses it to become free again). */
  onClose(fn: () => void): void {
    if (this.#handle === null) fn();
    else this.#onClose.push(fn);
  }

  /** The result's schema, known once the first batch (or the end of an empty result) arrived. */
  get schema(): Schema | undefined {
    return this.#schema;
  }

  get closed(): boolean {
    return this.#handle === null;
  }

  /** The next batch, or null when the query has no more rows. */
  next(): RecordBatch | null {
    if (this.#handle === null) throw new ChdbClosedError("the Arrow stream is closed");
    this.#releaseCurrent();
    const lib = native();
    const err = new Uint8Array(ERR_CAP);
    for (;;) {
      const status = lib.fn.chffi_stream_arrow_next(this.#handle, outHandle, err, ERR_CAP);
      if (status !== Status.OK) {
        this.close();
        const message = fromCBuffer(err);
        throw status === Status.ENGINE_ERROR ? ChdbQueryError.fromEngine(message) : new ChdbError(message);
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
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    native().fn.chffi_stream_arrow_free(handle);
    this.#tables.release();
    allOpen.delete(this);
    for (const fn of this.#onClose.splice(0)) fn();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  *[Symbol.iterator](): Generator<RecordBatch, void, undefined> {
    try {
      for (let batch = this.next(); batch !== null; batch = this.next()) yield batch;
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch, void, undefined> {
    try {
      for (let batch = this.next(); batch !== null; batch = this.next()) yield batch;
    } finally {
      this.close();
    }
  }
}
