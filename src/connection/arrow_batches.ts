// Where LazyQuery gets its Arrow batches: Connection.streamArrow, one engine batch at a time over
// zero-copy views. Batches are retained (freed by garbage collection, not when the next one comes)
// because filters may return a batch itself and collect() keeps them all.
import type { RecordBatch, Schema } from "apache-arrow";
import type { Connection } from "./connection.ts";
import { ChdbArgumentError } from "../core/errors.ts";

export interface ArrowBatches extends Iterable<RecordBatch> {
  /** The result's schema; undefined when the engine sent no Arrow data at all. */
  readonly schema: Schema | undefined;
}

/** The query's result as Arrow record batches, in order. */
export function arrowBatches(conn: Connection, sql: string): ArrowBatches {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  if (sql.trim() === "") throw new ChdbArgumentError("lazy() needs a SELECT query");
  const stream = conn.streamArrow(sql, { retain: true });
  return {
    get schema() {
      return stream.schema;
    },
    [Symbol.iterator]: () => stream[Symbol.iterator](),
  };
}
