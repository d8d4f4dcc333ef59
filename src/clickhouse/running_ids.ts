// The query_ids of the client's requests in flight, per data path. A server refuses a query_id in
// use (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING); so does the backend: cancelling by id (an abort's
// KILL QUERY, conn.cancel(id), cancelQuery(id)) would otherwise stop both requests.
const running = new Map<string, Set<string>>();

/** Takes `id` on `path` until the returned release runs (once); null when a request in flight has it. */
export function claimQueryId(path: string, id: string): (() => void) | null {
  let ids = running.get(path);
  if (ids === undefined) running.set(path, ids = new Set());
  if (ids.has(id)) return null;
  ids.add(id);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    ids.delete(id);
    if (ids.size === 0 && running.get(path) === ids) running.delete(path);
  };
}
