// chdb-ffi/clickhouse: @clickhouse/client's ClickHouseClient on the embedded engine.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { ClickHouseError } from "@clickhouse/client";
import { createClient, createConnection } from "../clickhouse.ts";
import { connect } from "../mod.ts";
import { fixture, runScript } from "./helpers.ts";

const client = createClient({ url: "chdb://memory" });
let n = 0;
const table = (prefix: string) => `${prefix}_${process.pid}_${n++}`;

test("query: JSON family, CSV, TSV and their WithNames forms give whole, well-formed output", async () => {
  const json = await (await client.query({ query: "SELECT number AS x FROM numbers(3)", format: "JSON" })).json<{ data: unknown[]; rows: number }>();
  assert.equal(json.rows, 3);
  assert.deepEqual(
    await (await client.query({ query: "SELECT toUInt32(number) AS x FROM numbers(3)", format: "JSONEachRow" })).json(),
    [{ x: 0 }, { x: 1 }, { x: 2 }],
  );
  assert.equal(await (await client.query({ query: "SELECT 1, 'a'", format: "CSV" })).text(), '1,"a"\n');
  assert.equal(await (await client.query({ query: "SELECT 1, 'a'", format: "TabSeparated" })).text(), "1\ta\n");
  // the engine formats each block on its own: later blocks' headers must not reach the output
  const settings = { max_block_size: "2" };
  assert.equal(
    await (await client.query({ query: "SELECT number AS n FROM numbers(5)", format: "CSVWithNames", clickhouse_settings: settings })).text(),
    '"n"\n0\n1\n2\n3\n4\n',
  );
  const withTotals = await client.query({
    query: "SELECT number % 2 AS k, count() AS c FROM numbers(10) GROUP BY k WITH TOTALS ORDER BY k",
    format: "JSON",
    clickhouse_settings: settings,
  });
  const doc = await withTotals.json() as unknown as { totals: { c: number } };
  assert.equal(doc.totals.c, 10);
  const parquet = await (await client.query({ query: "SELECT number FROM numbers(10)", format: "Parquet", clickhouse_settings: settings })).text();
  assert.ok(parquet.startsWith("PAR1") && parquet.endsWith("PAR1") && parquet.indexOf("PAR1", 4) === parquet.length - 4);
});

test("stream(): rows arrive while the engine runs; leaving early stops an endless query", async () => {
  const rs = await client.query({ query: "SELECT number FROM system.numbers", format: "JSONEachRow" });
  let rows = 0;
  for await (const batch of rs.stream()) {
    rows += batch.length;
    if (rows >= 100_000) break; // a buffered result would never get here
  }
  assert.ok(rows >= 100_000);
  const ok = await client.query({ query: "SELECT 1 AS one", format: "JSONEachRow" }); // the pool is usable
  assert.deepEqual(await ok.json(), [{ one: 1 }]);
});

test("insert: arrays, Node streams, web streams; summary from the engine", async () => {
  const t = table("ins");
  await client.command({ query: `CREATE TABLE ${t} (id UInt32, s String) ENGINE = MergeTree ORDER BY id` });
  const r1 = await client.insert({ table: t, values: [{ id: 1, s: "a" }, { id: 2, s: "b" }], format: "JSONEachRow" });
  assert.equal(r1.summary?.written_rows, "2");
  await client.insert({ table: t, values: Readable.from(["3,c\n", "4,", "d\n"], { objectMode: false }), format: "CSV" });
  await client.insert({ table: t, values: Readable.from([{ id: 5, s: "e" }]), format: "JSONEachRow" });
  const web = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("6\tf\n"));
      c.close();
    },
  });
  await client.insert({ table: t, values: Readable.fromWeb(web as never), format: "TabSeparated" });
  // a web stream straight to the connection (the client itself takes Node streams)
  const conn = createConnection();
  const web2 = new ReadableStream<string>({
    start(c) {
      c.enqueue("7,g\n");
      c.close();
    },
  });
  await conn.insert({ query: `INSERT INTO ${t} FORMAT CSV`, values: web2 });
  await conn.close();
  const rs = await client.query({ query: `SELECT id, s FROM ${t} ORDER BY id`, format: "JSONCompactEachRow" });
  assert.deepEqual(await rs.json(), [[1, "a"], [2, "b"], [3, "c"], [4, "d"], [5, "e"], [6, "f"], [7, "g"]]);
  const sum = await client.command({ query: `SELECT sum(id) FROM ${t}` });
  assert.equal(sum.summary?.read_rows, "7");
});

test("query_params: values bound as the HTTP client binds them (quotes, backslashes, arrays, NULL)", async () => {
  const tricky = "it's a \\ tab\there\nline";
  const rs = await client.query({
    query: "SELECT {s:String} AS s, {a:Array(String)} AS a, {n:Nullable(UInt8)} AS n, {d:DateTime('UTC')} AS d",
    format: "JSONEachRow",
    query_params: { s: tricky, a: ["x'y", "z\\"], n: null, d: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
  });
  assert.deepEqual(await rs.json(), [{ s: tricky, a: ["x'y", "z\\"], n: null, d: "2026-01-02 03:04:05" }]);
});

test("clickhouse_settings apply to their request only; unknown settings are UNKNOWN_SETTING", async () => {
  const get = async (settings?: Record<string, number>) =>
    (await (await client.query({ query: "SELECT getSetting('max_threads') AS v", format: "JSONEachRow", clickhouse_settings: settings })).json<{ v: number }>())[0].v;
  assert.equal(await get({ max_threads: 3 }), 3);
  assert.notEqual(await get(), 3);
  await assert.rejects(
    client.query({ query: "SELECT 1", clickhouse_settings: { no_such_setting_x: 1 } as never }),
    (e: unknown) => e instanceof ClickHouseError && e.code === "115" && e.type === "UNKNOWN_SETTING",
  );
});

test("errors are the client's ClickHouseError with the engine's code and type", async () => {
  await assert.rejects(
    client.query({ query: "SELECT (1" }),
    (e: unknown) => e instanceof ClickHouseError && e.code === "62" && e.type === "SYNTAX_ERROR",
  );
  await assert.rejects(
    client.command({ query: "foobar" }), // a server's syntax error (the engine's implicit SELECT is off)
    (e: unknown) => e instanceof ClickHouseError && e.type === "SYNTAX_ERROR",
  );
  await assert.rejects(
    client.query({ query: "SELECT * FROM no_such_table_xyz" }),
    (e: unknown) => e instanceof ClickHouseError && e.type === "UNKNOWN_TABLE",
  );
});

test("query_id: the given id comes back; a fresh UUID otherwise", async () => {
  const rs = await client.query({ query: "SELECT 1", format: "CSV", query_id: "my-query-1" });
  assert.equal(rs.query_id, "my-query-1");
  await rs.text();
  const other = await client.command({ query: "SELECT 1" });
  assert.match(other.query_id, /^[0-9a-f-]{36}$/);
});

test("sessions keep temporary tables and SET values; sessions are independent", async () => {
  const t = table("tmp");
  await client.command({ query: `CREATE TEMPORARY TABLE ${t} (x UInt8)`, session_id: "s1" });
  await client.command({ query: "SET max_threads = 5", session_id: "s1" });
  await client.insert({ table: t, values: [{ x: 7 }], format: "JSONEachRow", session_id: "s1" });
  const rows = await client.query({ query: `SELECT x, getSetting('max_threads') AS m FROM ${t}`, format: "JSONEachRow", session_id: "s1" });
  assert.deepEqual(await rows.json(), [{ x: 7, m: 5 }]);
  await assert.rejects(client.query({ query: `SELECT * FROM ${t}`, session_id: "s2" }), ClickHouseError);
  await assert.rejects(client.query({ query: `SELECT * FROM ${t}` }), ClickHouseError); // no session: no temporary table
});

// Another connection to the same engine (the client's is chdb://memory) sees its queries.
const observer = connect();

/** The engine's process-list rows of the query carrying the library's comment for `id`. */
async function processes(id: string): Promise<{ is_cancelled: number; read_rows: string }[]> {
  const r = await observer.queryAsync(
    "SELECT is_cancelled, read_rows FROM system.processes WHERE position(query, {mark:String}) = 1",
    "JSONEachRow",
    { params: { mark: `/* chdb-ffi query ${id} */` } },
  );
  return r.text().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilStarted(id: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await processes(id)).length > 0) return;
    await pause(25);
  }
  assert.fail(`query ${id} never started`);
}

/**
 * Waits (polling, up to ~10 s) until the engine no longer runs `id`: it is gone from
 * system.processes, or it is marked cancelled and reads no more rows. (A killed query's row stays
 * listed, with is_cancelled 1 and read_rows fixed, until its connection runs its next query.)
 */
async function untilStopped(id: string): Promise<void> {
  let before: string | undefined;
  for (let i = 0; i < 100; i++) {
    const rows = await processes(id);
    if (rows.length === 0) return;
    const now = rows.map((r) => `${r.is_cancelled}:${r.read_rows}`).join();
    if (rows.every((r) => r.is_cancelled === 1) && now === before) return;
    before = now;
    await pause(100);
  }
  assert.fail(`query ${id} still runs in the engine`);
}

const isAbort = (e: unknown) => e instanceof Error && e.name === "AbortError" && /aborted a request/.test(e.message);
const ENDLESS = "SELECT sum(number) FROM numbers(1000000000000) FORMAT CSV";

test("abort_signal rejects at once, stops the engine's query; the connection and the session answer next", async () => {
  const ac = new AbortController();
  const id = `abort-whole-${process.pid}`;
  const whole = client.exec({ query: ENDLESS, abort_signal: ac.signal, query_id: id });
  await untilStarted(id);
  ac.abort();
  await assert.rejects(whole, isAbort);
  await untilStopped(id);
  assert.deepEqual(await (await client.query({ query: "SELECT 1 AS one", format: "JSONEachRow" })).json(), [{ one: 1 }]);

  // in a session, the query the session's connection runs is the one stopped
  const inSession = new AbortController();
  const sid = `abort-session-${process.pid}`;
  const sessionWhole = client.command({ query: ENDLESS, abort_signal: inSession.signal, query_id: sid, session_id: "abort" });
  await untilStarted(sid);
  inSession.abort();
  await assert.rejects(sessionWhole, isAbort);
  await untilStopped(sid);
  const next = await client.query({ query: "SELECT 2 AS two", format: "JSONEachRow", session_id: "abort" });
  assert.deepEqual(await next.json(), [{ two: 2 }]);
  assert.deepEqual(await processes(sid), []); // the session's connection has moved on

  const pre = new AbortController();
  pre.abort();
  await assert.rejects(client.query({ query: "SELECT 1", abort_signal: pre.signal }), { name: "AbortError" });
});

test("abort_signal stops a streamed result's query in the engine while it is read", async () => {
  const ac = new AbortController();
  const id = `abort-stream-${process.pid}`;
  const rs = await client.query({ query: "SELECT number FROM system.numbers", format: "JSONEachRow", abort_signal: ac.signal, query_id: id });
  const stream = rs.stream();
  let rows = 0;
  const reading = (async () => {
    for await (const batch of stream) rows += batch.length;
  })();
  await untilStarted(id);
  ac.abort();
  await reading.catch(() => {}); // the stream ends or fails: either way the query must be gone
  await untilStopped(id);
  assert.ok(rows > 0);
  assert.deepEqual(await (await client.query({ query: "SELECT 3 AS three", format: "JSONEachRow" })).json(), [{ three: 3 }]);
});

test("abort_signal stops a streamed insert() in the engine, in an append or the commit: nothing committed", async () => {
  const t = table("abort_ins");
  // each row computes ten SHA-256 hashes: the commit of 1M rows takes seconds
  await client.command({
    query: `CREATE TABLE ${t} (a UInt64, h String DEFAULT arrayStringConcat(arrayMap(x -> hex(SHA256(toString(a + x))), range(10)))) ` +
      "ENGINE = MergeTree ORDER BY a",
  });
  const ac = new AbortController();
  const id = `abort-insert-${process.pid}`;
  const rows = Array.from({ length: 100 }, (_, k) => Array.from({ length: 10_000 }, (_, i) => `${k * 10_000 + i}\n`).join(""));
  const inserting = client.insert({ table: t, columns: ["a"], values: Readable.from(rows, { objectMode: false }), format: "CSV", abort_signal: ac.signal, query_id: id });
  await untilStarted(id);
  ac.abort();
  await assert.rejects(inserting, isAbort);
  await untilStopped(id);
  const count = await client.query({ query: `SELECT count() AS n FROM ${t}`, format: "JSONEachRow" });
  assert.deepEqual(await count.json(), [{ n: 0 }]);
});

test("a syntax error names the positions of the SQL as written, as the engine gives them for it", async () => {
  const sql = "SELECT 1,\n 2 3";
  const plain = (() => {
    try {
      observer.query(sql);
    } catch (e) {
      return (e as Error).message;
    }
  })();
  const position = /failed at position (\d+) \(3\) \(line 2, col 4\)/.exec(plain ?? "")?.[1];
  assert.ok(position !== undefined, plain);
  await assert.rejects(client.query({ query: sql }), (e: unknown) => e instanceof ClickHouseError && e.message.includes(`failed at position ${position} (3)`));
  await assert.rejects(client.command({ query: "SELECT 1 2" }), (e: unknown) => e instanceof ClickHouseError && e.message.includes("failed at position 10 (2)"));
});

test("request_timeout fails the request with the client's message and stops the engine's query", async () => {
  const timed = createClient({ url: "chdb://memory", request_timeout: 300 });
  const id = `timeout-${process.pid}`;
  const request = timed.exec({ query: ENDLESS, query_id: id });
  await untilStarted(id);
  await assert.rejects(request, (e: unknown) => e instanceof Error && e.message === "Timeout error.");
  await untilStopped(id);
  assert.deepEqual(await (await timed.query({ query: "SELECT 4 AS four", format: "JSONEachRow" })).json(), [{ four: 4 }]);
  await timed.close();
});

test("query_id is the library's queryId: conn.cancel(query_id) stops the client's request (QUERY_WAS_CANCELLED)", async () => {
  const id = `cancel-by-id-${process.pid}`;
  const whole = client.exec({ query: ENDLESS, query_id: id });
  await untilStarted(id);
  assert.equal(observer.cancel(id), true);
  await assert.rejects(whole, (e: unknown) => e instanceof ClickHouseError && e.code === "394");
  await untilStopped(id);
});

test("createClient: http(s) URLs give the client's HTTP transport; a Connection can be given", async () => {
  const http = createClient({ url: "http://127.0.0.1:1" });
  const ping = await http.ping();
  assert.equal(ping.success, false); // nothing listens there: an HTTP error, not the engine
  await http.close();
  const conn = connect();
  const c = createClient({ connection: conn });
  assert.deepEqual(await (await c.query({ query: "SELECT 2 AS two", format: "JSONEachRow" })).json(), [{ two: 2 }]);
  await c.close();
  assert.equal(conn.query("SELECT 3").text(), "3\n"); // close() left the given connection open
  conn.close();
});

test("results dropped unread end once collected: a session runs again, the pool keeps no query running", () => {
  // README "@clickhouse/client on the embedded engine": close() or read a ResultSet; one dropped
  // unread (also under a long-lived abort signal) is cancelled by garbage collection.
  const r = runScript(fixture("dropped_client_results.ts"), [], { exposeGc: true });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), "session runs again true\ndropped queries stopped true\n");
});

test("close", async () => {
  observer.close();
  await client.close();
  await assert.rejects(client.query({ query: "SELECT 1" }));
});
