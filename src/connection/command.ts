// command(): a statement run for its effect (DDL, INSERT ... SELECT, SET...), returning the
// engine's statistics instead of rows.
import type { AsyncOptions } from "../core/abortable.ts";
import type { QueryStats } from "../core/result.ts";
import type { QueryOptions } from "./query_options.ts";

/** The calls command() makes on a connection (Connection has them). */
export interface CommandTarget {
  query(sql: string, format: "TSV", options?: QueryOptions): QueryStats;
  queryAsync(sql: string, format: "TSV", options?: QueryOptions & AsyncOptions): Promise<QueryStats>;
}

// The statistics of a Result as a plain object (a Result also holds the output, unused here).
function statsOf(r: QueryStats): QueryStats {
  return {
    elapsed: r.elapsed,
    rowsRead: r.rowsRead,
    bytesRead: r.bytesRead,
    storageRowsRead: r.storageRowsRead,
    storageBytesRead: r.storageBytesRead,
    rowsWritten: r.rowsWritten,
    bytesWritten: r.bytesWritten,
  };
}

// Any statement runs with any output format; TSV keeps the (discarded) output of a stray SELECT small.
const FORMAT = "TSV";

/** Runs `sql` on `conn` for its effect: the engine's statistics. */
export function command(conn: CommandTarget, sql: string, options: QueryOptions = {}): QueryStats {
  return statsOf(conn.query(sql, FORMAT, options));
}

/** command() off the JS thread. */
export async function commandAsync(
  conn: CommandTarget,
  sql: string,
  options: QueryOptions & AsyncOptions = {},
): Promise<QueryStats> {
  return statsOf(await conn.queryAsync(sql, FORMAT, options));
}
