// Where LazyQuery gets its Arrow batches. Interim path until Connection.streamArrow (the Arrow
// issue) lands on main: the query runs in the engine's ArrowStream format and the bytes are read
// back one RecordBatch at a time with apache-arrow's RecordBatchReader. The result is materialised
// as bytes first (not yet streamed from the engine); the batches are the engine's blocks.
// Switching to streamArrow changes only this file.
import { type RecordBatch, RecordBatchReader, type Schema } from "apache-arrow";
import type { Connection } from "./connection.ts";
import { ChdbArgumentError } from "./errors.ts";

// apache-arrow JS reads neither lz4-compressed Arrow nor ClickHouse's binary String mapping.
const ARROW_SETTINGS = "output_format_arrow_compression_method='none', output_format_arrow_string_as_string=1";

/** The query as a SELECT wrapped so that the Arrow output settings apply to it alone. */
export function arrowQuery(sql: string): string {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  const body = sql.trim().replace(/;+\s*$/, "");
  if (body === "") throw new ChdbArgumentError("lazy() needs a SELECT query");
  return `SELECT * FROM (\n${body}\n) SETTINGS ${ARROW_SETTINGS}`;
}

export interface ArrowBatches extends Iterable<RecordBatch> {
  /** The result's schema; undefined when the engine sent no Arrow data at all. */
  readonly schema: Schema | undefined;
}

/** The query's result as Arrow record batches, in order. */
export function arrowBatches(conn: Connection, sql: string): ArrowBatches {
  const bytes = conn.query(arrowQuery(sql), "ArrowStream").bytes();
  if (bytes.length === 0) return { schema: undefined, [Symbol.iterator]: () => [][Symbol.iterator]() };
  const reader = RecordBatchReader.from(bytes).open();
  return { schema: reader.schema, [Symbol.iterator]: () => reader[Symbol.iterator]() };
}
