// Cancellation that stops the engine: an AbortSignal or cancel(queryId) kills the running query
// (KILL QUERY ... ASYNC from a second connection), and the connection answers the next query at
// once. The queries here would run for minutes; a guard fails the test if one is not stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cancelQuery, ChdbArgumentError, ChdbQueryError, connect } from "../mod.ts";

const LONG = "SELECT sum(number) FROM numbers(1000000000000) SETTINGS max_threads = 1"; // minutes
const GUARD_MS = 60_000; // far below the query's natural run time

function guard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was not stopped`)), GUARD_MS);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Waits until the engine lists a running query with this id (so that the kill hits it running). */
async function running(queryId: string): Promise<void> {
  using probe = connect();
  for (let i = 0; i < 500; i++) {
    const n = probe.query(`SELECT count() FROM system.processes WHERE startsWith(query, '/* chdb-ffi query ${queryId} */')`).text();
    if (n.trim() !== "0") return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`query ${queryId} never started`);
}

function stillRunning(queryId: string): number {
  using probe = connect();
  return Number(probe.query(`SELECT count() FROM system.processes WHERE startsWith(query, '/* chdb-ffi query ${queryId} */')`).text());
}

test("cancel: an AbortSignal stops the query in the engine and frees the connection", async () => {
  await using conn = connect();
  const controller = new AbortController();
  const call = conn.queryAsync(LONG, "CSV", { signal: controller.signal, queryId: "abort-me" });
  await running("abort-me");
  controller.abort(new Error("stop"));
  await assert.rejects(call, /stop/);
  // The next query on the same connection runs once the engine has stopped the long one.
  const next = await guard(conn.queryAsync("SELECT 42"), "the aborted query");
  assert.equal(next.text(), "42\n");
  assert.equal(stillRunning("abort-me"), 0);
});

test("cancel: a signal without queryId gets an id; Arrow queries are stopped too", async () => {
  await using conn = connect();
  const controller = new AbortController();
  const call = conn.queryArrowAsync(LONG, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("arrow stop")), 300);
  await assert.rejects(call, /arrow stop/);
  assert.equal((await guard(conn.queryAsync("SELECT 7"), "the aborted Arrow query")).text(), "7\n");
});

test("cancel: cancel(queryId) makes the call fail with QUERY_WAS_CANCELLED and the id", async () => {
  await using conn = connect();
  const call = conn.queryAsync(LONG, "CSV", { queryId: "by-id-1" });
  await running("by-id-1");
  assert.equal(cancelQuery("by-id-1"), true);
  const error = await guard(call.then(() => undefined, (e) => e), "the cancelled query");
  assert.ok(error instanceof ChdbQueryError);
  assert.equal(error.code, 394);
  assert.equal(error.queryId, "by-id-1");
  assert.equal(conn.query("SELECT 1").text(), "1\n");
  assert.equal(conn.cancel("no-such-query"), false);
});

test("cancel: the id is on the Result; invalid ids are argument errors", async () => {
  using conn = connect();
  assert.equal(conn.query("SELECT 1", "CSV", { queryId: "mine.1" }).queryId, "mine.1");
  assert.equal((await conn.queryAsync("SELECT 1", "CSV", { queryId: "mine.2" })).queryId, "mine.2");
  assert.equal(conn.query("SELECT 1").queryId, undefined);
  assert.throws(() => conn.query("SELECT 1", "CSV", { queryId: "x' OR 1 --" }), ChdbArgumentError);
  assert.throws(() => cancelQuery("bad id"), ChdbArgumentError);
});

test("cancel: a timeout stops a minutes-long query in the engine, sync and async", async () => {
  using conn = connect();
  assert.throws(() => conn.query(LONG, "CSV", { timeout: 300 }), (e) => e instanceof ChdbQueryError && e.code === 159);
  await assert.rejects(guard(conn.queryAsync(LONG, "CSV", { timeout: 300 }), "the timed-out query"), (e) => e instanceof ChdbQueryError && e.code === 159);
  // The per-query limit is put back afterwards.
  assert.equal(conn.query("SELECT getSetting('max_execution_time')").text(), "0\n");
  using limited = connect(":memory:", { timeout: 300 });
  assert.throws(() => limited.query(LONG), (e) => e instanceof ChdbQueryError && e.code === 159);
  assert.equal(limited.query("SELECT 1").text(), "1\n");
});

test("cancel: aborting a stream's signal kills a query whose first block would take minutes", async () => {
  await using conn = connect();
  const controller = new AbortController();
  const stream = conn.stream("SELECT sum(number) FROM numbers(1000000000000) SETTINGS max_threads = 1", "CSV", {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error("stream stop")), 300);
  const consume = async () => {
    for await (const _chunk of stream) { /* the one block comes after minutes */ }
  };
  await assert.rejects(guard(consume(), "the aborted stream"), /stream stop|cancelled/i);
  assert.equal(conn.query("SELECT 5").text(), "5\n");
});

test("cancel: a stream's queryId lets cancel(queryId) stop its query", async () => {
  await using conn = connect();
  const stream = conn.stream(LONG, "CSV", { queryId: "stream-by-id" });
  const consume = async () => {
    for await (const _chunk of stream) { /* the one block comes after minutes */ }
  };
  const consumed = consume();
  await running("stream-by-id");
  assert.equal(cancelQuery("stream-by-id"), true);
  await assert.rejects(guard(consumed, "the cancelled stream"), (e) => e instanceof ChdbQueryError && e.code === 394);
  assert.equal(conn.query("SELECT 6").text(), "6\n");
});

// An INSERT whose commit takes seconds: each row computes a column of ten SHA-256 hashes.
const SLOW_TABLE = "(a UInt64, h String DEFAULT arrayStringConcat(arrayMap(x -> hex(SHA256(toString(a + x))), range(10)))) " +
  "ENGINE = MergeTree ORDER BY a";
const ROWS = new TextEncoder().encode(Array.from({ length: 200_000 }, (_, i) => `${i}\n`).join(""));

test("cancel: an insert stream's signal kills the INSERT in the engine, between appends or in done(); nothing is committed", async () => {
  await using conn = connect();
  conn.query(`CREATE TABLE slow_insert ${SLOW_TABLE}`);
  // between appends: the next call fails with the signal's reason
  const between = new AbortController();
  const ins = conn.insertStream("INSERT INTO slow_insert (a)", "CSV", { signal: between.signal, queryId: "ins-abort-1" });
  await ins.appendAsync(ROWS);
  await running("ins-abort-1");
  between.abort(new Error("insert stop"));
  await assert.rejects(ins.appendAsync(ROWS), /insert stop/);
  assert.throws(() => ins.done(), /insert stop/);
  // in done(), the engine's long commit: killed there
  const inDone = new AbortController();
  const ins2 = conn.insertStream("INSERT INTO slow_insert (a)", "CSV", { signal: inDone.signal });
  for (let i = 0; i < 5; i++) await ins2.appendAsync(ROWS);
  const done = ins2.doneAsync();
  inDone.abort(new Error("insert stop"));
  await assert.rejects(guard(done, "the aborted INSERT"), (e) => e instanceof ChdbQueryError && e.code === 394);
  assert.equal(conn.query("SELECT count() FROM slow_insert").text(), "0\n");
  // an aborted signal refuses the stream at once
  assert.throws(() => conn.insertStream("INSERT INTO slow_insert (a)", "CSV", { signal: inDone.signal }), /insert stop/);
  conn.insertStream("INSERT INTO slow_insert (a)", "CSV").append("1\n").done();
  assert.equal(conn.query("SELECT count() FROM slow_insert").text(), "1\n");
});

test("cancel: an insert stream's queryId lets cancel(queryId) stop the INSERT; its syntax errors name the SQL's positions", async () => {
  await using conn = connect();
  conn.query(`CREATE TABLE slow_insert_id ${SLOW_TABLE}`);
  const ins = conn.insertStream("INSERT INTO slow_insert_id (a)", "CSV", { queryId: "ins-by-id" });
  for (let i = 0; i < 5; i++) await ins.appendAsync(ROWS);
  const done = ins.doneAsync();
  await running("ins-by-id");
  assert.equal(cancelQuery("ins-by-id"), true);
  await assert.rejects(guard(done, "the cancelled INSERT"), (e) => e instanceof ChdbQueryError && e.code === 394);
  assert.equal(conn.query("SELECT count() FROM slow_insert_id").text(), "0\n");
  const plain = (() => {
    try {
      conn.insertStream("INSERT INTO slow_insert_id (a", "CSV");
    } catch (e) {
      return (e as Error).message;
    }
  })();
  assert.match(plain ?? "", /failed at position \d+/);
  assert.throws(() => conn.insertStream("INSERT INTO slow_insert_id (a", "CSV", { queryId: "ins-syntax" }), (e) => (e as Error).message === plain);
});
