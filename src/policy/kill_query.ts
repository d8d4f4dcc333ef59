// Cancellation that stops the engine, not just the wait. A query that may be cancelled (it has a
// `queryId`, a `signal` or a `timeout`) carries its id in a leading comment; cancelling runs
// `KILL QUERY WHERE startsWith(query, '<that comment>') ASYNC` on a second engine connection,
// which makes the running query fail with QUERY_WAS_CANCELLED (code 394) within milliseconds
// and frees its connection. ASYNC, never SYNC: a synchronous KILL ... SYNC on the JS thread
// while the killed query runs on an off-thread worker hung Bun forever.
import { ChdbArgumentError } from "../core/errors.ts";
import { withSideConnection } from "../core/side_connection.ts";
import { noteKill } from "../core/kills.ts";

/** Options that let a query be cancelled by id with cancelQuery(). */
export interface CancelOptions {
  /** An id of your own for the query (letters, digits, `-`, `_`, `.`, `:`; at most 128). */
  queryId?: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
let counter = 0;

/** The query id to use: the caller's, checked, or a new one. */
export function queryIdOf(given: unknown): string {
  if (given === undefined) return `chffi-${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  if (typeof given !== "string" || !ID.test(given)) {
    throw new ChdbArgumentError("queryId must be 1-128 characters of letters, digits, '-', '_', '.' or ':'");
  }
  return given;
}

function marker(queryId: string): string {
  return `/* chdb-ffi query ${queryId} */ `;
}

/** The SQL with its id in front (the engine keeps leading comments in the query text). */
export function markSql(sql: string, queryId: string): string {
  return marker(queryId) + sql;
}

/**
 * Stops the query `queryId` running on any connection to `path` (":memory:" or the normalised
 * data directory). Returns at once (the engine stops the query within milliseconds); true when a
 * running query had that id.
 */
export function killQuery(path: string, queryId: string): boolean {
  queryIdOf(queryId);
  return withSideConnection(path, (side) => {
    const out = side.query(`KILL QUERY WHERE startsWith(query, '${marker(queryId)}') ASYNC`, "TSV");
    const killed = out.text().trim().length > 0;
    if (killed) noteKill(queryId); // a stream of it ends as if complete: it asks (src/core/kills.ts)
    return killed;
  });
}

/** The link between a call and its signal (see killOnAbort). */
export interface AbortKiller {
  /** The call has settled: nothing more to kill. */
  settled(): void;
}

const RETRY_MS = 50;
const RETRY_FOR_MS = 2000;

/**
 * From now until settled(), an abort of `signal` kills the query `queryId` in the engine (a call
 * that has not started never starts: see AsyncQueue). When the kill finds no such query, the
 * call may be between its start and the engine's registration of the query: the kill is tried
 * again every 50 ms, for up to 2 s, until the call settles.
 */
export function killOnAbort(path: string, queryId: string | undefined, signal: AbortSignal | undefined): AbortKiller {
  if (signal === undefined || queryId === undefined) return { settled() {} };
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = (deadline: number) => {
    timer = undefined;
    if (done) return;
    let killed = false;
    try {
      killed = killQuery(path, queryId);
    } catch {
      // the engine is shutting down, or the data path went away: nothing left to stop
      return;
    }
    if (!killed && Date.now() < deadline) timer = setTimeout(() => attempt(deadline), RETRY_MS);
  };
  const onAbort = () => attempt(Date.now() + RETRY_FOR_MS);
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    settled() {
      done = true;
      signal.removeEventListener("abort", onAbort);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
