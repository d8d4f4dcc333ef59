// Progress of a running query, seen from a second connection of the same engine:
// `system.processes` holds a running query's read counters, the engine's estimate of the total
// and its elapsed time (facts.md). The watched query is found by its queryId: the comment that
// src/policy/kill_query.ts puts in front of the SQL of every query with an id, which the engine keeps in
// `system.processes` (the same comment that cancellation kills by).
import { clearTimeout, setTimeout } from "node:timers";
import { markSql } from "./kill_query.ts";
import { ChdbArgumentError } from "../core/errors.ts";

/** A snapshot of a running query, from the engine's process list. */
export interface Progress {
  /** The call's queryId (yours, or the one given to the call): `conn.cancel(queryId)` stops it. */
  readonly queryId: string;
  /** Rows and bytes read so far (storage and table functions). */
  readonly readRows: number;
  /** Bytes read so far. */
  readonly readBytes: number;
  /** The engine's estimate of the rows the query will read; 0 when it has none. */
  readonly totalRowsApprox: number;
  /** Rows written so far (INSERT ... SELECT). */
  readonly writtenRows: number;
  /** Seconds since the query started, by the engine's clock. */
  readonly elapsed: number;
}

/** Options of the calls that report progress. */
export interface ProgressOptions {
  /**
   * Called several times a second while the query runs, with what it has read so far. Polled from
   * a second connection; the query is found by its `queryId` (one is given to the call when the
   * options name none). Only the first statement of a multi-statement call is followed.
   */
  onProgress?: (progress: Progress) => void;
}

/** What the watcher needs of a second connection: the Connection class fits. */
export interface WatchConnection {
  queryAsync(sql: string, format?: string, options?: { params?: Record<string, string> }): Promise<{ text(): string }>;
  close(): void;
}

/** How often the process list is read. */
export const PROGRESS_INTERVAL_MS = 100;

// startsWith: the poll's own text starts with SELECT, so it never finds itself.
const POLL = "SELECT read_rows, read_bytes, total_rows_approx, written_rows, elapsed FROM system.processes " +
  "WHERE startsWith(query, {marker:String}) LIMIT 1";

/** Reads the process list every PROGRESS_INTERVAL_MS for the query `queryId` until stop(). */
export class ProgressWatch {
  readonly #marker: string;
  readonly #side: WatchConnection;
  readonly #onProgress: (p: Progress) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(readonly queryId: string, openSide: () => WatchConnection, onProgress: (p: Progress) => void) {
    if (typeof onProgress !== "function") throw new ChdbArgumentError("options.onProgress must be a function");
    this.#marker = markSql("", queryId);
    this.#side = openSide();
    this.#onProgress = onProgress;
    this.#schedule();
  }

  #schedule(): void {
    // Unreferenced: the query in flight keeps the program alive, a forgotten stream must not.
    this.#timer = setTimeout(() => void this.#poll(), PROGRESS_INTERVAL_MS);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    let line: string | undefined;
    try {
      line = (await this.#side.queryAsync(POLL, "TSV", { params: { marker: this.#marker } })).text().split("\n")[0];
    } catch {
      line = undefined; // the side connection closed under a late poll: nothing to report
    }
    if (this.#stopped) return;
    if (line) {
      const [readRows, readBytes, total, written, elapsed] = line.split("\t").map(Number);
      try {
        this.#onProgress({ queryId: this.queryId, readRows, readBytes, totalRowsApprox: total, writtenRows: written, elapsed });
      } catch {
        return; // a throwing callback ends the reports, not the query
      }
    }
    this.#schedule();
  }

  /** Stops polling and closes the side connection. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#side.close();
  }
}
