// Where LazyQuery gets its Arrow batches: the query streams from the engine in its ArrowStream
// format (Connection.stream), one engine block per chunk; each chunk is a complete Arrow IPC
// stream, read with apache-arrow's RecordBatchReader. Memory stays bounded by a few blocks, and
// leaving the loop early cancels the query. When Connection.streamArrow (the Arrow issue, C Data
// Interface, no IPC decoding) lands, switching to it changes only this file.
import { type RecordBatch, RecordBatchReader, type Schema } from "apache-arrow";
import type { Connection } from "./connection.ts";
import { ChdbArgumentError } from "./errors.ts";

// apache-arrow JS reads neither lz4-compressed Arrow nor ClickHouse's binary String mapping.
const ARROW_SETTINGS = "output_format_arrow_compression_method='none', output_format_arrow_string_as_string=1";

function selectBody(sql: string): string {
  if (typeof sql !== "string") throw new ChdbArgumentError(`sql must be a string, got ${typeof sql}`);
  const body = sql.trim().replace(/;+\s*$/, "");
  if (body === "") throw new ChdbArgumentError("lazy() needs a SELECT query");
  return body;
}

/** The query as a SELECT wrapped so that the Arrow output settings apply to it alone. */
export function arrowQuery(sql: string): string {
  return `SELECT * FROM (\n${selectBody(sql)}\n) SETTINGS ${ARROW_SETTINGS}`;
}

/** The query's result as Arrow record batches, in order, streamed from the engine. */
export function* arrowBatches(conn: Connection, sql: string): Generator<RecordBatch> {
  for (const chunk of conn.stream(arrowQuery(sql), "ArrowStream")) {
    const bytes = chunk.bytes();
    if (bytes.length > 0) yield* RecordBatchReader.from(bytes);
  }
}

/** The query's schema (runs it with LIMIT 0); undefined if the engine sends no Arrow data. */
export function arrowSchema(conn: Connection, sql: string): Schema | undefined {
  const bytes = conn.query(arrowQuery(`SELECT * FROM (\n${selectBody(sql)}\n) LIMIT 0`), "ArrowStream").bytes();
  return bytes.length > 0 ? RecordBatchReader.from(bytes).open().schema : undefined;
}
