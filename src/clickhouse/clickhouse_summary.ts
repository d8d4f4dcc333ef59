// The X-ClickHouse-Summary of a request, from the engine's statistics of the statement.
import type { QueryStats } from "../core/result.ts";

export interface ClickHouseSummary {
  read_rows: string;
  read_bytes: string;
  written_rows: string;
  written_bytes: string;
  total_rows_to_read: string;
  result_rows: string;
  result_bytes: string;
  elapsed_ns: string;
}

export function summaryOf(stats: QueryStats | undefined): ClickHouseSummary {
  const n = (x: number | undefined) => String(x ?? 0);
  return {
    read_rows: n(stats?.storageRowsRead),
    read_bytes: n(stats?.storageBytesRead),
    written_rows: n(stats?.rowsWritten),
    written_bytes: n(stats?.bytesWritten),
    total_rows_to_read: n(stats?.storageRowsRead),
    result_rows: n(stats?.rowsRead),
    result_bytes: n(stats?.bytesRead),
    elapsed_ns: String(Math.round((stats?.elapsed ?? 0) * 1e9)),
  };
}
