// Progress of a running query, and stopping it, seen from a second connection of the same
// engine: `system.processes` holds a running query's read counters, the engine's estimate of the
// total and its elapsed time, and `KILL QUERY ... ASYNC` stops it (facts.md). The watched query is
// found by a comment tag at the start of its text, which the engine keeps in `system.processes`.
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";
import { ChdbArgumentError } from "./errors.ts";

/** A snapshot of a running query, from the engine's process list. */
export interface Progress {
  /** The engine's id of the query (the key of killQuery()). */
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
   * a second connection; only the first statement of a multi-statement call is followed.
   */
  onProgress?: (progress: Progress) => void;
}

/** What the watcher needs of a second connection: the Connection class fits. */
export interface SideConnection {
  queryAsync(sql: string, format?: string, options?: { params?: Record<string, string> }): Promise<{ text(): string }>;
  close(): void;
}

/** How often the process list is read. */
export const PROGRESS_INTERVAL_MS = 100;

let nextTag = 1;

/** A tag unique in this process and, with the pid and a random part, among processes sharing a data path. */
function newTag(): string {
  const random = Math.floor(Math.random() * 0x1_0000_0000).toString(16);
  return `/* chdb-ffi query ${process.pid}-${random}-${nextTag++} */ `;
}

const COLUMNS = "query_id, read_rows, read_bytes, total_rows_approx, written_rows, elapsed";

function parseRow(line: string): Progress {
  const [queryId, readRows, readBytes, total, written, elapsed] = line.split("\t");
  return {
    queryId,
    readRows: Number(readRows),
    readBytes: Number(readBytes),
    totalRowsApprox: Number(total),
    writtenRows: Number(written),
    elapsed: Number(elapsed),
  };
}

/**
 * Follows one query: `sql` is the text to run instead of the caller's (the tag prepended), and
 * the process list is read every PROGRESS_INTERVAL_MS until stop(). `tagged: false` follows
 * whatever query runs other than the watch's own, for a program that runs one query at a time
 * in its process (the command line): the SQL is left as it is.
 */
export class ProgressWatch {
  readonly sql: string;
  readonly #tag: string | undefined;
  readonly #side: SideConnection;
  readonly #onProgress: ((p: Progress) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #queryId: string | undefined;
  #error: unknown;

  constructor(sql: string, openSide: () => SideConnection, onProgress?: (p: Progress) => void, tagged = true) {
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw new ChdbArgumentError("options.onProgress must be a function");
    }
    this.#tag = tagged ? newTag() : undefined;
    this.sql = (this.#tag ?? "") + sql;
    this.#side = openSide();
    this.#onProgress = onProgress;
    if (onProgress) this.#schedule();
  }

  /** The error thrown by onProgress, if any (polling stops at the first one). */
  get error(): unknown {
    return this.#error;
  }

  #schedule(): void {
    // Unreferenced: the query in flight keeps the program alive, a forgotten stream must not.
    this.#timer = setTimeout(() => void this.#poll(), PROGRESS_INTERVAL_MS);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    let rows: Progress[];
    try {
      rows = await this.#read();
    } catch {
      rows = []; // the side connection closed under a late poll: nothing to report
    }
    if (this.#stopped) return;
    if (rows.length > 0) {
      this.#queryId = rows[0].queryId;
      try {
        this.#onProgress?.(rows[0]);
      } catch (e) {
        this.#error = e;
        return;
      }
    }
    this.#schedule();
  }

  async #read(): Promise<Progress[]> {
    // The tag may follow another leading comment (a queryId's, src/cancel.ts), so it is looked for
    // anywhere in the text; the poll's own query, which holds it too, is left out by its id.
    const text = (this.#tag === undefined
      ? await this.#side.queryAsync(`SELECT ${COLUMNS} FROM system.processes WHERE query_id != queryID() LIMIT 1`, "TSV")
      : await this.#side.queryAsync(
        `SELECT ${COLUMNS} FROM system.processes WHERE query_id != queryID() AND position(query, {tag:String}) > 0 LIMIT 1`,
        "TSV",
        { params: { tag: this.#tag } },
      )).text();
    return text.split("\n").filter((line) => line !== "").map(parseRow);
  }

  /** The engine's id of the query while it runs (looked up now if no poll has found it yet). */
  async queryId(): Promise<string | undefined> {
    if (this.#queryId === undefined && !this.#stopped) this.#queryId = (await this.#read())[0]?.queryId;
    return this.#queryId;
  }

  /** Stops the query in the engine if it is still running; resolves true if one was found to stop. */
  async cancel(): Promise<boolean> {
    const id = await this.queryId();
    if (id === undefined || this.#stopped) return false;
    await killQuery(this.#side, id);
    return true;
  }

  /** Stops polling and closes the side connection. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#side.close();
  }
}

/**
 * Stops a running query by its id, from a connection other than the one running it (the engine
 * then fails the query with QUERY_WAS_CANCELLED, code 394). ASYNC: waiting for the query to end
 * from the engine could block the thread that has to deliver that end (facts.md).
 */
export async function killQuery(side: SideConnection, queryId: string): Promise<void> {
  await side.queryAsync("KILL QUERY WHERE query_id = {id:String} ASYNC", "TSV", { params: { id: queryId } });
}
