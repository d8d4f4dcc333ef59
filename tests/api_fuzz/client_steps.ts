// The client fuzz's steps: clients made and closed (also while requests and result streams are in
// flight), requests one at a time and in bursts (Promise.all), the backend used directly
// (createConnection: web streams, strings and async iterables as insert input), unread results
// closed, requests cancelled by query_id.
// deno-lint-ignore-file no-explicit-any -- requests with wrong-typed parts are the point
import { Readable } from "node:stream";
import { createClient, createConnection } from "../../clickhouse.ts";
import { cancelQuery, connect } from "../../mod.ts";
import { clientRequest, SESSIONS } from "./client_requests.ts";
import { insertInput, KNOWN_SQL, RESULT_FORMATS } from "./client_values.ts";
import { known, type LiveClient } from "./client_world.ts";
import type { Step } from "./arguments.ts";
import type { World } from "./world.ts";

const open = (w: World) => w.client.clients.filter((c) => !c.closed);

/** A client to use: usually an open one, sometimes a closed one (every call must reject). */
function pickClient(w: World): LiveClient | undefined {
  const all = w.client.clients;
  if (!all.length) return undefined;
  const live = open(w);
  return live.length && w.rng.chance(0.95) ? w.rng.pick(live) : w.rng.pick(all);
}

/** Its table and the temporary table of each session, made before any request of the sequence. */
async function setUp(w: World, lc: LiveClient): Promise<void> {
  try {
    await lc.client.command({ query: `DROP TABLE IF EXISTS ${lc.table}` });
    await lc.client.command({ query: `CREATE TABLE ${lc.table} (n UInt32, s String) ENGINE = MergeTree ORDER BY n` });
    lc.rows = known(0);
    for (const session_id of SESSIONS) {
      await lc.client.command({ query: "CREATE TEMPORARY TABLE fzc_tmp (n UInt32, s String)", session_id });
      lc.sessions.set(session_id, { tmpRows: known(0), blockSize: known(null) });
    }
  } catch (e) {
    // a tiny request_timeout, or (mixed sequences) another data path open in the process
    w.check.step(`client set-up failed: ${e}`);
  }
}

const newClient: Step = async (w) => {
  const cw = w.client;
  if (open(w).length >= 2) return;
  if (cw.clients.length >= 4) cw.clients.splice(cw.clients.indexOf(cw.clients.find((c) => c.closed)!), 1);
  const how = w.rng.int(10);
  const timeout = how === 0 ? 1 + w.rng.int(20) : undefined;
  w.check.step(`createClient ${how < 7 ? "url" : "over createConnection"}${timeout ? `, request_timeout ${timeout}` : ""}`);
  const backend = how >= 7 ? createConnection({ url: "chdb://memory", request_timeout: timeout }) : undefined;
  const client = backend
    ? createClient({ connection: backend })
    : createClient({ url: "chdb://memory", request_timeout: timeout });
  const lc: LiveClient = {
    client,
    backend,
    table: cw.nextTable(),
    rows: known(null),
    sessions: new Map(),
    closed: false,
    timeout,
  };
  cw.clients.push(lc);
  if (cw.strict && cw.defaultBlockSize === undefined) {
    const conn = connect();
    try {
      cw.defaultBlockSize = Number(conn.query("SELECT getSetting('max_block_size')", "TSV").text());
    } finally {
      conn.close();
    }
  }
  if (timeout === undefined) await setUp(w, lc);
};

const request: Step = (w) => {
  const lc = pickClient(w);
  if (lc) void clientRequest(w, lc);
};

/** Many requests at once, over the clients, awaited together. */
const burst: Step = async (w) => {
  const n = 2 + w.rng.int(7);
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const lc = pickClient(w);
    if (lc) all.push(clientRequest(w, lc));
  }
  w.check.step(`burst of ${all.length}`);
  await Promise.all(all);
};

/** close() with whatever is in flight; later calls on the client must reject. */
const closeClient: Step = (w) => {
  const live = open(w);
  if (!live.length) return;
  const lc = w.rng.pick(live);
  lc.closed = true;
  w.check.call(`client.close (${w.client.clients.indexOf(lc)})`, () => lc.client.close(), ["client"]);
};

const closeUnread: Step = (w) => {
  const unread = w.client.unread;
  if (!unread.length) return;
  const r = unread.splice(w.rng.int(unread.length), 1)[0];
  w.check.call("close an unread result", () => r.close(), ["client"]);
};

/** README: conn.cancel(query_id) / cancelQuery(query_id) stops a client's request. */
const cancel: Step = (w) => {
  const ids = w.queryIds.filter((id) => id.startsWith("fzc-"));
  if (!ids.length) return;
  w.check.call("cancelQuery(client query_id)", () => cancelQuery(w.rng.pick(ids)));
};

/** The backend alone: what createClient's insert cannot pass (web streams, strings, iterables). */
const backendCall: Step = (w) => {
  const lc = pickClient(w);
  const backend = lc?.backend;
  if (!lc || !backend) return;
  const cw = w.client;
  const kind = w.rng.int(3);
  if (kind === 0) {
    const count = w.rng.pick([0, 5, 3000]);
    const name = `backend.query CSV ${count}`;
    w.check.follow(name, (async () => {
      const r = await backend.query({ query: `${KNOWN_SQL} FORMAT CSV`, query_params: { count }, query_id: cw.nextQueryId() });
      let text = "";
      for await (const chunk of r.stream) text += new TextDecoder().decode(chunk as Uint8Array);
      w.check.expect(name, text, RESULT_FORMATS[3].text!(count));
    })(), ["client"]);
    return;
  }
  if (kind === 1) {
    const input = insertInput(w.rng, () => {
      const e = new Error("fzc input failed");
      w.check.inputErrors.add(e);
      return e;
    }, "backend");
    const values = input.format === "CSV" && w.rng.chance(0.3) ? stringOf(input.values) : input.values;
    const name = `backend.insert ${input.kind}`;
    lc.rows.pending++;
    lc.rows.writes++;
    w.check.follow(name, (async () => {
      try {
        // the client encodes arrays; the backend takes text, bytes, Node or web streams, iterables
        const v = Array.isArray(values) ? values.map((r) => JSON.stringify(r) + "\n").join("") : values;
        await backend.insert({ query: `INSERT INTO ${lc.table} FORMAT ${input.format}`, values: v as any });
        if (input.mustFail) w.check.fail(`${name}: succeeded although its input failed`);
        lc.rows.value = lc.rows.value === null || input.rows === null ? null : lc.rows.value + input.rows;
      } catch (e) {
        if (lc.closed || lc.timeout !== undefined) lc.rows.value = null; // it may have been committed
        throw e;
      } finally {
        lc.rows.pending--;
      }
    })(), ["client"]);
    return;
  }
  w.check.follow("backend.ping", backend.ping().then((r) => {
    if (!r.success && !lc.closed && lc.timeout === undefined && cw.strict) w.check.fail(`backend.ping failed: ${r.error}`);
  }));
};

/** An async iterable of the stream's chunks as strings (the backend takes any). */
function stringOf(values: unknown): unknown {
  if (!(values instanceof Readable)) return values;
  return (async function* () {
    for await (const chunk of values) yield typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  })();
}

const tick: Step = async (w) => {
  w.check.step("tick");
  await new Promise((resolve) => setTimeout(resolve, w.rng.int(5)));
};

/** The client steps, weighted; `newClient` first so that a sequence has a client early. */
export const CLIENT_STEPS: Step[] = [
  newClient,
  newClient,
  ...Array<Step>(8).fill(request),
  burst,
  burst,
  closeClient,
  closeUnread,
  cancel,
  backendCall,
  backendCall,
  tick,
  tick,
];

/** The few of them mixed into the library's own sequences (the clients meet its objects there). */
export const MIXED_CLIENT_STEPS: Step[] = [newClient, request, request, burst, closeClient];
