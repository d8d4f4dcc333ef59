// The query ids the library has killed (KILL QUERY by id: conn.cancel(), cancelQuery(), an
// abort's kill). libchdb's streaming API ends a killed query's stream as if its result were
// complete, with no error: a stream asks here whether its end was a kill (found by tests/api_fuzz:
// a client query cancelled by its id resolved with no rows).
import { ChdbQueryError } from "./errors.ts";

/** Kills remembered (the oldest forgotten first): a stream asks about its own query only. */
const REMEMBERED = 4096;
let epoch = 0;
const killed = new Map<string, number>();

/** A KILL QUERY stopped the query `queryId`. */
export function noteKill(queryId: string): void {
  killed.delete(queryId);
  killed.set(queryId, ++epoch);
  if (killed.size > REMEMBERED) killed.delete(killed.keys().next().value!);
}

/** From now on: whether the query `queryId` has been killed since (always false without an id). */
export function watchKills(queryId: string | undefined): () => boolean {
  if (queryId === undefined) return () => false;
  const since = epoch;
  return () => (killed.get(queryId) ?? 0) > since;
}

/** The engine's error for a killed query, as a query that is not streamed fails with it. */
export function cancelledError(queryId: string | undefined): ChdbQueryError {
  const e = ChdbQueryError.fromEngine("Code: 394. DB::Exception: Query was cancelled. (QUERY_WAS_CANCELLED)");
  e.queryId = queryId;
  return e;
}
