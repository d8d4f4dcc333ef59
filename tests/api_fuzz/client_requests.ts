// The client fuzz's requests: one random request of a client (query read in some way, insert,
// command, exec, ping, a session's state), with a random query_id, session, settings and abort,
// followed by the checker. A request that could not fail (valid input, nothing to stop it, the
// client open) must succeed; known answers are compared.
// deno-lint-ignore-file no-explicit-any -- requests with wrong-typed parts are the point
import { Readable } from "node:stream";
import type { ResultSet } from "@clickhouse/client";
import { type InsertInput, insertInput, KNOWN_SQL, queryIdOf, type ReadMode, requestSettings, RESULT_FORMATS, type ResultFormat, rowCount } from "./client_values.ts";
import type { Known, LiveClient, SessionModel } from "./client_world.ts";
import type { World } from "./world.ts";

export const SESSIONS = ["fzs-a", "fzs-b", "fzs-c"];
/** A query that runs until it is stopped (abort, timeout, leaving its stream). */
const ENDLESS = "SELECT number AS n FROM system.numbers";

/** What may stop a request, and whether it may end in an abort. */
interface Stop {
  signal?: AbortSignal;
  mayStop: boolean;
  /** Called once the request settled (an abort after the end must change nothing). */
  after(): void;
}

function stopOf(w: World, lc: LiveClient, surely = false): Stop {
  const r = surely ? 6 + w.rng.int(3) : w.rng.int(10);
  const timed = lc.timeout !== undefined;
  if (r < 4) return { mayStop: timed, after() {} };
  if (r < 6) return { signal: w.client.longSignal.signal, mayStop: timed, after() {} };
  const ctrl = new AbortController();
  // The client rejects with its own AbortError whatever the reason: this one is not accepted.
  const abort = () => ctrl.abort(new Error("fzc abort reason"));
  if (r === 6) abort();
  else if (r === 7) {
    let k = w.rng.int(8);
    const tick = () => k-- > 0 ? queueMicrotask(tick) : abort();
    queueMicrotask(tick);
  } else if (r === 8) setTimeout(abort, w.rng.int(15));
  return { signal: ctrl.signal, mayStop: timed || r < 9, after: r === 9 ? abort : () => {} };
}

interface Common {
  params: Record<string, unknown>;
  stop: Stop;
  /** Nothing in the request may make it fail (but a stop or a closed client). */
  valid: boolean;
  session?: SessionModel;
  /** The client answers it without its backend (an empty insert): closed or not. */
  local?: boolean;
}

/** The parts every request has: query_id, session_id, clickhouse_settings, abort_signal. */
/** `session`: undefined picks one at random (or none), null is none. */
function common(
  w: World,
  lc: LiveClient,
  opts: { session?: string | null; surely?: boolean; settings?: boolean } = {},
): Common {
  const cw = w.client;
  const params: Record<string, unknown> = {};
  let valid = true;
  const id = queryIdOf(w.rng, () => cw.nextQueryId(), w.queryIds);
  if (id !== undefined) {
    params.query_id = id;
    if (!/^fzc-\d+$/.test(id) && id !== "") valid = false;
    else if (id !== "") w.queryIds.push(id);
    if (w.queryIds.indexOf(id) !== w.queryIds.length - 1) valid = false; // a duplicate may be running
  }
  const session = opts.session === undefined ? (w.rng.chance(0.3) ? w.rng.pick(SESSIONS) : undefined) : opts.session ?? undefined;
  if (session !== undefined) params.session_id = session;
  if (opts.settings !== false) {
    const s = requestSettings(w.rng);
    if (s !== undefined) {
      params.clickhouse_settings = s;
      const keys = Object.keys(s);
      const harmless = ["max_block_size", "max_threads", "wait_end_of_query", "send_progress_in_http_headers", "default_format"];
      if (!keys.every((k) => harmless.includes(k)) || typeof s.max_block_size === "object" || "max_threads" in s && typeof s.max_threads !== "number") valid = false;
    }
  }
  const stop = stopOf(w, lc, opts.surely);
  if (stop.signal) params.abort_signal = stop.signal;
  return { params, stop, valid, session: session === undefined ? undefined : lc.sessions.get(session) };
}

/** Follows a request: settles in time, rejects only as documented, and succeeds when it must. */
function follow(w: World, lc: LiveClient, name: string, c: Common, run: () => Promise<void>): Promise<void> {
  const closedAtStart = lc.closed;
  w.check.step(name);
  const p = (async () => {
    try {
      await run();
      if (closedAtStart && !c.local) w.check.fail(`${name}: succeeded on a client closed before the request`);
    } catch (e) {
      // cancelQuery() of a request's id (a cancel step) fails it with QUERY_WAS_CANCELLED (README).
      const cancelled = (e as { code?: string })?.code === "394";
      if (w.client.strict && c.valid && !c.stop.mayStop && !lc.closed && !cancelled) {
        w.check.fail(`${name}: failed although nothing could make it fail: ${e instanceof Error ? e.stack : e}`);
      }
      throw e;
    } finally {
      c.stop.after();
    }
  })();
  return w.check.follow(name, p, ["client"]);
}

const expectedJson = (f: ResultFormat, count: number) =>
  f.name === "JSON" ? undefined : f.text!(count).split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** Reads a result set as `mode` says and compares what it read with the known answer. */
async function consume(w: World, name: string, rs: ResultSet<any>, f: ResultFormat, count: number | undefined, mode: ReadMode) {
  const want = count === undefined || f.text === undefined || count > (f.maxCount ?? Infinity) ? undefined : f.text(count);
  if (mode === "json" && f.json) {
    const got: any = await rs.json();
    if (count === undefined) return;
    if (f.name === "JSON") {
      w.check.expect(name, JSON.stringify(got.data), JSON.stringify(expectedJson(RESULT_FORMATS[0], count)));
      w.check.expect(`${name} rows`, String(got.rows), String(count));
    } else w.check.expect(name, JSON.stringify(got), JSON.stringify(expectedJson(f, count)));
  } else if ((mode === "stream" || mode === "stream-part") && f.streamable) {
    let text = "";
    for await (const batch of rs.stream()) {
      for (const row of batch as { text: string }[]) text += row.text + "\n";
      if (mode === "stream-part") break; // leaving the loop destroys the stream and stops the query
    }
    if (mode === "stream" && want !== undefined) w.check.expect(name, text, want);
  } else if (mode === "close") {
    rs.close();
  } else if (mode === "never") {
    w.client.unread.push(rs);
  } else {
    const text = await rs.text();
    if (want !== undefined) w.check.expect(name, text, want);
    else if (f.name === "Parquet" && !text.startsWith("PAR1")) w.check.fail(`${name}: not a Parquet file`);
  }
}

function readMode(w: World, session: boolean): ReadMode {
  const modes: ReadMode[] = ["text", "json", "stream", "stream", "stream-part", "close"];
  // A session runs one request at a time: a result left unread holds it (README), so the fuzzer
  // leaves unread only results of the pool.
  if (!session) modes.push("never");
  return w.rng.pick(modes);
}

function knownQuery(w: World, lc: LiveClient): Promise<void> {
  const f = w.rng.pick(RESULT_FORMATS);
  const count = Math.min(rowCount(w.rng), f.maxCount ?? Infinity);
  const c = common(w, lc);
  const mode = readMode(w, c.params.session_id !== undefined);
  // query_params wrong now and then: out of range, of the wrong type, missing
  const params = w.rng.chance(0.9) ? { count } : w.rng.pick<Record<string, unknown>>([{ count: -1 }, { count: "x" }, {}, { count: 2 ** 40 }]);
  if (params.count !== count) c.valid = false;
  const name = `client.query ${f.name} ${count} rows, ${mode} (${JSON.stringify({ ...c.params, params })})`;
  return follow(w, lc, name, c, async () => {
    const rs = await lc.client.query({ query: KNOWN_SQL, format: f.name as any, query_params: params, ...c.params });
    await consume(w, name, rs, f, params.count === count ? count : undefined, mode);
  });
}

function endlessQuery(w: World, lc: LiveClient): Promise<void> {
  const stream = w.rng.chance(0.5);
  const c = common(w, lc, { surely: !stream });
  const mode: ReadMode = stream ? "stream-part" : "text";
  return follow(w, lc, `client.query endless, ${mode}`, c, async () => {
    const rs = await lc.client.query({ query: ENDLESS, format: "JSONEachRow", ...c.params });
    await consume(w, "endless", rs, RESULT_FORMATS[0], undefined, mode);
  });
}

/** Applies a state-changing request's outcome to what is known. */
function track(k: Known | undefined, p: Promise<void>, onSuccess: (k: Known) => void, stopped: () => boolean) {
  if (k === undefined) return void p.catch(() => {}); // followed (and judged) elsewhere
  k.pending++;
  k.writes++;
  p.then(() => onSuccess(k), () => {
    if (stopped()) k.value = null; // an abort may come after the engine finished: not known
  }).finally(() => k.pending--);
}

function insert(w: World, lc: LiveClient): Promise<void> {
  const inSession = w.rng.chance(0.3);
  const session = inSession ? w.rng.pick(SESSIONS) : undefined;
  const model = session === undefined ? lc.rows : lc.sessions.get(session)?.tmpRows;
  const c = common(w, lc, { session: session ?? null });
  const input: InsertInput = insertInput(w.rng, () => {
    const e = new Error("fzc input failed");
    w.check.inputErrors.add(e);
    return e;
  }, "client");
  if (input.rows === null) c.valid = false;
  c.local = input.kind === "empty array";
  const viaExec = w.rng.chance(0.3);
  const table = session === undefined ? lc.table : "fzc_tmp";
  const name = `client.insert ${input.kind} ${input.format} into ${table} (${JSON.stringify(c.params)})`;
  let outcome: unknown;
  const p = (async () => {
    try {
      if (input.format === "CSV" && input.values instanceof Readable && viaExec) {
        // exec() with values: INSERT ... FORMAT streams as insert() does (README)
        const r = await lc.client.exec({ query: `INSERT INTO ${table} FORMAT CSV`, values: input.values, ...c.params });
        r.stream.destroy();
      } else await lc.client.insert({ table, values: input.values as any, format: input.format as any, ...c.params });
      if (input.mustFail) w.check.fail(`${name}: succeeded although its input stream failed`);
    } catch (e) {
      outcome = e;
      throw e;
    }
  })();
  track(model, p, (k) => k.value = k.value === null || input.rows === null ? null : k.value + input.rows, () => c.stop.mayStop || lc.closed || outcome === undefined);
  return follow(w, lc, name, c, () => p);
}

function count(w: World, lc: LiveClient): Promise<void> {
  const session = w.rng.chance(0.3) ? w.rng.pick(SESSIONS) : undefined;
  const model = session === undefined ? lc.rows : lc.sessions.get(session)?.tmpRows;
  const want = model !== undefined && model.pending === 0 && model.value !== null ? String(model.value) : undefined;
  const writes = model?.writes;
  const c = common(w, lc, { session: session ?? null });
  const table = session === undefined ? lc.table : "fzc_tmp";
  const name = `client count of ${table} (${JSON.stringify(c.params)}), want ${want}`;
  return follow(w, lc, name, c, async () => {
    const rs = await lc.client.query({ query: `SELECT count() AS c FROM ${table}`, format: "JSONEachRow", ...c.params });
    const [row] = await rs.json<{ c: string }>();
    if (want !== undefined && model?.writes === writes) w.check.expect(name, String(row?.c), want);
  });
}

/** SET in a session (kept until close), or without one (its pooled connection must not keep it). */
function setBlockSize(w: World, lc: LiveClient): Promise<void> {
  const session = w.rng.chance(0.7) ? w.rng.pick(SESSIONS) : undefined;
  const size = 1000 + w.rng.int(9000);
  const sql = w.rng.pick([`SET max_block_size = ${size}`, `/* c */ set max_block_size=${size}`, `SELECT 1; SET max_block_size = ${size}`]);
  const c = common(w, lc, { session: session ?? null, settings: false });
  const model = session === undefined ? undefined : lc.sessions.get(session)?.blockSize;
  const p = lc.client.command({ query: sql, ...c.params }).then(() => {});
  track(model, p, (k) => k.value = size, () => true);
  return follow(w, lc, `client.command ${sql} (${JSON.stringify(c.params)})`, c, () => p);
}

/** The session's max_block_size (or the engine default without a session), under other settings. */
function checkBlockSize(w: World, lc: LiveClient): Promise<void> {
  const session = w.rng.chance(0.7) ? w.rng.pick(SESSIONS) : undefined;
  const model = session === undefined ? undefined : lc.sessions.get(session)?.blockSize;
  const known = session === undefined || (model !== undefined && model.pending === 0 && model.value !== null);
  const writes = model?.writes;
  const fallback = w.client.defaultBlockSize;
  const want = known && (model?.value ?? fallback) !== undefined ? String(model?.value ?? fallback) : undefined;
  const c = common(w, lc, { session: session ?? null, settings: false });
  if (w.rng.chance(0.5)) c.params.clickhouse_settings = { max_threads: 1 };
  const name = `client getSetting('max_block_size') (${JSON.stringify(c.params)}), want ${want}`;
  return follow(w, lc, name, c, async () => {
    const rs = await lc.client.query({ query: "SELECT getSetting('max_block_size') AS v", format: "JSONEachRow", ...c.params });
    const [row] = await rs.json<{ v: string }>();
    if (want !== undefined && model?.writes === writes) w.check.expect(name, String(row?.v), want);
  });
}

const COMMANDS = [
  "SELECT 1",
  "SELEC 1",
  "CREATE TEMPORARY TABLE IF NOT EXISTS fzc_pool_tmp (a UInt8)",
  "DROP TABLE IF EXISTS fzc_no_such",
  "SELECT throwIf(number = 300) FROM numbers(1000)",
  "SELECT sleep(0.02)",
  "SYSTEM FLUSH LOGS",
  "",
];

function command(w: World, lc: LiveClient): Promise<void> {
  const sql = w.rng.pick(COMMANDS);
  const c = common(w, lc);
  if (sql !== "SELECT 1" && sql !== "SELECT sleep(0.02)") c.valid = false;
  return follow(w, lc, `client.command ${sql} (${JSON.stringify(c.params)})`, c, async () => {
    await lc.client.command({ query: sql, ...c.params });
  });
}

function exec(w: World, lc: LiveClient): Promise<void> {
  const count = rowCount(w.rng);
  const c = common(w, lc);
  const read = w.rng.pick(["all", "destroy", "none"]);
  const name = `client.exec CSV ${count} rows, ${read} (${JSON.stringify(c.params)})`;
  return follow(w, lc, name, c, async () => {
    const r = await lc.client.exec({ query: `${KNOWN_SQL} FORMAT CSV`, query_params: { count }, ...c.params });
    if (read === "destroy") r.stream.destroy();
    else if (read === "none") w.client.unread.push({ close: () => r.stream.destroy() });
    else {
      let text = "";
      for await (const chunk of r.stream) text += new TextDecoder().decode(chunk as Uint8Array);
      w.check.expect(name, text, RESULT_FORMATS[3].text!(count));
    }
  });
}

function ping(w: World, lc: LiveClient): Promise<void> {
  const c = common(w, lc, { settings: false });
  const closed = lc.closed;
  return follow(w, lc, `client.ping (${JSON.stringify(c.params)})`, c, async () => {
    const r = await lc.client.ping(c.params as any);
    if (r.success && closed) w.check.fail("ping succeeded on a closed client");
    if (!r.success) throw r.error; // judged as a rejection: it must be a documented error
  });
}

/** One random request of `lc` (its promise: settled, checked). */
export function clientRequest(w: World, lc: LiveClient): Promise<void> {
  return w.rng.pick([knownQuery, knownQuery, knownQuery, endlessQuery, insert, insert, count, setBlockSize, checkBlockSize, command, exec, ping])(w, lc);
}
