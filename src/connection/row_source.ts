// RowSource: what cursors and statements run their SQL on. Connection implements it and hands it
// to the Cursor and Statement it makes, so that they never import Connection (connection.ts is the
// one file of this folder that knows them all).
import type { AsyncOptions } from "../core/abortable.ts";
import type { QueryParams } from "../core/params.ts";
import type { RowsResult } from "../arrow/query_arrow.ts";
import type { Int64Mode } from "../rows/int64_mode.ts";
import type { QueryStream } from "../stream/query_stream.ts";

/** The calls of one connection that cursors and statements make. */
export interface RowSource {
  /** How the connection returns (U)Int64/128/256 values unless told otherwise. */
  readonly int64: Int64Mode;
  /** A whole result for rows (Arrow buffers with the ClickHouse types, see src/arrow/query_arrow.ts). */
  rows(sql: string, params?: QueryParams): RowsResult;
  /** rows() off the JS thread. */
  rowsAsync(sql: string, params: QueryParams | undefined, options?: AsyncOptions): Promise<RowsResult>;
  /** Runs `sql` for its effect; the number of rows it wrote. */
  run(sql: string, params?: QueryParams): number;
  /** run() off the JS thread. */
  runAsync(sql: string, params: QueryParams | undefined, options?: AsyncOptions): Promise<number>;
  /** The rows of `sql` as RowBinary blocks (ROWS_FORMAT of src/rows/), one at a time. */
  stream(sql: string, params: QueryParams | undefined, options?: AsyncOptions): QueryStream;
}
