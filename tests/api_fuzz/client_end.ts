// The end of a client fuzz sequence: with every request settled, each open client still answers
// many requests at once rightly (no pooled connection left broken or reserved), no request's query
// still runs in the engine, close() ends everything (unread results included), and no listener is
// left on the long-lived AbortSignal. The sequence's own end check then finds no engine connection
// open.
import { connect } from "../../mod.ts";
import { KNOWN_SQL, RESULT_FORMATS } from "./client_values.ts";
import type { World } from "./world.ts";

/** Requests at once per client: more than the pool keeps idle (8), so new connections open too. */
const AT_ONCE = 10;

async function answersMany(w: World): Promise<void> {
  const want = RESULT_FORMATS[0].text!(3);
  for (const lc of w.client.clients) {
    if (lc.closed || lc.timeout !== undefined) continue;
    const name = `end: ${AT_ONCE} requests at once on client ${w.client.clients.indexOf(lc)}`;
    const all = Array.from({ length: AT_ONCE }, () =>
      w.check.follow(name, (async () => {
        const rs = await lc.client.query({ query: KNOWN_SQL, query_params: { count: 3 }, format: "JSONEachRow" });
        w.check.expect(name, await rs.text(), want);
      })(), w.client.strict ? [] : ["client"]));
    await Promise.all(all);
  }
}

/** The requests' queries the engine still runs (not killed), by their marker comment. */
function runningQueries(): string[] {
  const conn = connect();
  try {
    const r = conn.query(
      "SELECT query FROM system.processes WHERE is_cancelled = 0 AND startsWith(query, '/* chdb-ffi query ') " +
        "AND query NOT LIKE '%system.processes%'",
      "JSONEachRow",
    );
    return (r.json() as { query: string }[]).map((row) => row.query.slice(0, 120));
  } finally {
    conn.close();
  }
}

async function nothingRunning(w: World): Promise<void> {
  w.check.step("end: no client query left running");
  for (let waited = 0;; waited += 20) {
    const running = runningQueries();
    if (running.length === 0) return;
    if (waited >= 3000) w.check.fail(`end: queries still running 3 s after every request settled: ${running.join(" | ")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Before the rest of the population is closed (the checks need the memory path free of others). */
export async function endClients(w: World): Promise<void> {
  const cw = w.client;
  await w.check.settle();
  // Some unread results are closed, the others left to client.close().
  let leftOpen = 0;
  for (const r of cw.unread.splice(0)) {
    if (w.rng.chance(0.5)) w.check.call("end: close an unread result", () => r.close(), ["client"]);
    else leftOpen++;
  }
  await w.check.settle();
  if (cw.strict) {
    await answersMany(w);
    if (leftOpen === 0) await nothingRunning(w);
  }
  for (const lc of cw.clients) {
    if (lc.closed) continue;
    lc.closed = true;
    w.check.call("end: client.close", () => lc.client.close(), ["client"]);
  }
  await w.check.settle();
  if (cw.strict) await nothingRunning(w); // close() ended the results left unread too
  w.check.step("end: abort listeners");
  if (cw.longSignal.listeners !== 0) {
    w.check.fail(`end: ${cw.longSignal.listeners} listeners left on a long-lived AbortSignal after client.close()`);
  }
}
