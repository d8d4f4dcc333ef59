// The 1M-row table of the cursor benchmarks, defined once so that every figure is over the same data.
import type { Connection } from "../mod.ts";

export const ROWS = 1_000_000;

/** Creates Memory table `bench_rows (id UInt64, name String, score Float64, day Date)` with ROWS rows. */
export function createBenchRows(conn: Pick<Connection, "query">): void {
  conn.query(`CREATE TABLE bench_rows (id UInt64, name String, score Float64, day Date) ENGINE = Memory AS
  SELECT number, concat('name_', toString(number)), number * 0.5, toDate('2000-01-01') + toIntervalDay(number % 10000)
  FROM numbers(${ROWS})`);
}
