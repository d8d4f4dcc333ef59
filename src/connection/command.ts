// command(): a statement run for its effect (DDL, INSERT ... SELECT, SET...), returning the
// engine's statistics instead of rows.
import type { AsyncOptions } from "../core/abortable.ts";
import type { Connection, QueryOptions } from "./connection.ts";
import type { QueryStats } from "../core/result.ts";

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

export function command(conn: Connection, sql: string, options: QueryOptions = {}): QueryStats {
  return statsOf(conn.query(sql, FORMAT, options));
}

export async function commandAsync(
  conn: Connection,
  sql: string,
  options: QueryOptions & AsyncOptions = {},
): Promise<QueryStats> {
  return statsOf(await conn.queryAsync(sql, FORMAT, options));
}
