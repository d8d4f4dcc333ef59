// Where LazyQuery gets its Arrow batches: its connection's streamArrow(), one engine batch at a
// time over zero-copy views. Batches are retained (freed by garbage collection, not when the next one comes)
// because filters may return a batch itself and collect() keeps them all.
import type { RecordBatch, Schema } from "../arrow/apache_arrow.ts";
import type { ArrowBatchStream, ArrowStreamOptions } from "../stream/arrow_batch_stream.ts";
import { ChdbArgumentError } from "../core/errors.ts";

/** A connection's streamArrow(): the Arrow batch stream of a query. */
export type StreamArrow = (sql: string, options: ArrowStreamOptions) => ArrowBatchStream;

/** A query's Arrow batches, in order, and its schema. */
export interface ArrowBatches extends Iterable<RecordBatch> {
  /** The result's schema; undefined when the engine sent no Arrow data at all. */
  readonly schema: Schema | undefined;
}

/** The query's result as Arrow record batches, in order. */
export function arrowBatches(streamArrow: StreamArrow, sql: string): ArrowBatches {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  if (sql.trim() === "") throw new ChdbArgumentError("lazy() needs a SELECT query");
  const stream = streamArrow(sql, { retain: true });
  return {
    get schema() {
      return stream.schema;
    },
    [Symbol.iterator]: () => stream[Symbol.iterator](),
  };
}
