// What the JS-API fuzzer (tests/api_fuzz/) found, each minimised to the calls that showed it.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cancelQuery,
  ChdbArgumentError,
  ChdbClosedError,
  ChdbError,
  ChdbQueryError,
  connect,
  createPool,
  Session,
  StringHashSet,
  udf,
} from "../mod.ts";

const KILLED = "SELECT number FROM numbers(1000000000) SETTINGS max_block_size = 1000";

test("fuzz finding: unregister() while a stream reads the table leaves the stream its data (was a segfault)", () => {
  using conn = connect();
  for (const open of [(sql: string) => conn.streamArrow(sql), (sql: string) => conn.stream(sql, "CSV")]) {
    conn.register("fz_r", { a: [1, 2, 3], s: ["x", "y", "z"] });
    const stream = open("SELECT sum(a) AS n FROM arrowstream('fz_r')");
    assert.equal(conn.unregister("fz_r"), true);
    const first = stream.next();
    const got = first === null ? null : "numRows" in first ? String(first.getChild("n")?.get(0)) : first.text().trim();
    assert.equal(got, "6");
    stream.close();
  }
  assert.throws(() => conn.query("SELECT * FROM arrowstream('fz_r')"), ChdbQueryError); // the name is gone
});

test("fuzz finding: a query that fails mid-output leaves nothing for the next query's result", () => {
  using conn = connect();
  assert.throws(
    () =>
      conn.query("SELECT throwIf(number = 200000) FROM numbers(1000000) SETTINGS max_block_size = 1000", "JSONEachRow"),
    ChdbQueryError,
  );
  assert.equal(conn.query("SELECT 8", "TSV").text(), "8\n"); // was megabytes of the failed query's rows, then 8
});

test("fuzz finding: a stream that fails leaves none of its output (Arrow, JSON, Parquet prefixes) for the next query", () => {
  using conn = connect();
  for (const format of ["Arrow", "JSON", "Parquet", "CSV"]) {
    assert.throws(() => [...conn.stream("SELECT throwIf(number = 5000) FROM numbers(10000)", format)], ChdbQueryError);
    assert.equal(conn.query("SELECT 8", "TSV").text(), "8\n", format); // was "ARROW1..." and then 8
  }
});

test("fuzz finding: an aborted queryAsync's rows do not reach the next query on the connection", async () => {
  await using conn = connect();
  for (let i = 0; i < 3; i++) {
    const ac = new AbortController();
    const killed = conn.queryAsync(KILLED, "JSONEachRow", { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(killed, (e) => e === ac.signal.reason);
    assert.equal((await conn.queryAsync("SELECT {p:UInt8} + 1", "TSV", { params: { p: 7 } })).text(), "8\n");
  }
});

test("fuzz finding: close() of an Arrow stream nothing was read from stops its query at once (was: ran it whole, 31 s)", () => {
  using conn = connect();
  for (const options of [{}, { retain: true }, { params: { p: 1 } }]) {
    const started = Date.now();
    conn.streamArrow(KILLED, options).close();
    assert.ok(Date.now() - started < 5000, `close() took ${Date.now() - started} ms`);
  }
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
});

test("fuzz finding: conn.cancel(queryId) stops an off-thread query of the same connection (was ChdbBusyError)", async () => {
  const conn = connect();
  const call = conn.queryAsync(KILLED, "JSONEachRow", { queryId: "fz-cancel-own" });
  const outcome = call.then(() => undefined, (e) => e);
  let cancelled = false;
  for (let i = 0; i < 200 && !cancelled; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    cancelled = conn.cancel("fz-cancel-own");
  }
  assert.ok(cancelled, "the query was found running and cancelled");
  const error = await outcome;
  assert.ok(error instanceof ChdbQueryError && error.code === 394, String(error));
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
  conn.close();
  assert.throws(() => conn.cancel("fz-cancel-own"), ChdbClosedError);
});

test("fuzz finding: null or a non-object as options is a ChdbArgumentError everywhere (was a TypeError)", async () => {
  const odd = [null, 5, "CSV"] as unknown as undefined[];
  using conn = connect();
  for (const o of odd) {
    assert.throws(() => connect(":memory:", o), ChdbArgumentError);
    assert.throws(() => new Session(undefined, o), ChdbArgumentError);
    assert.throws(() => createPool(o), ChdbArgumentError);
    assert.throws(() => udf(function fz_udf() {}, o), ChdbArgumentError);
    assert.throws(() => conn.query("SELECT 1", "CSV", o), ChdbArgumentError);
    assert.throws(() => conn.queryArrow("SELECT 1", o), ChdbArgumentError);
    assert.throws(() => conn.stream("SELECT 1", "CSV", o), ChdbArgumentError);
    assert.throws(() => conn.streamArrow("SELECT 1", o), ChdbArgumentError);
    assert.throws(() => conn.insertStream("INSERT INTO t", "CSV", o), ChdbArgumentError);
    assert.throws(() => conn.command("SELECT 1", o), ChdbArgumentError);
    await assert.rejects(conn.queryAsync("SELECT 1", "CSV", o), ChdbArgumentError);
    await assert.rejects(conn.queryArrowAsync("SELECT 1", o), ChdbArgumentError);
    await assert.rejects(conn.commandAsync("SELECT 1", o), ChdbArgumentError);
    await assert.rejects(conn.prepare("SELECT 1").allAsync(undefined, o), ChdbArgumentError);
    await assert.rejects(conn.cursor().executeAsync("SELECT 1", undefined, o), ChdbArgumentError);
  }
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
});

test("fuzz finding: StringHashSet.extend() of nothing or a non-iterable is a ChdbError (was a TypeError)", () => {
  using set = new StringHashSet();
  for (const v of [undefined, null, 5, {}]) assert.throws(() => set.extend(v as unknown as string[]), ChdbError);
  set.extend(new Set(["a", "b"]));
  assert.equal(set.size, 2);
});

test("fuzz finding: insertStream() of a non-string SQL is a ChdbArgumentError (was a TypeError from the settings check)", () => {
  using conn = connect();
  for (const sql of [Object.create(null), Symbol("s"), 5, null]) {
    assert.throws(() => conn.insertStream(sql, "CSV"), ChdbArgumentError);
  }
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
});

test("fuzz finding: a streaming INSERT that failed or was cancelled is not left listed as running in system.processes", () => {
  using conn = connect();
  using observer = connect();
  conn.query("CREATE TABLE IF NOT EXISTS fz_ins_phantom (n UInt32) ENGINE = Memory");
  const listed = (id: string) =>
    observer.query(`SELECT count() FROM system.processes WHERE query LIKE '%${id} */%' AND query NOT LIKE '%system.processes%'`, "TSV").text();
  const failed = conn.insertStream("INSERT INTO fz_ins_phantom", "JSONEachRow", { queryId: "fz-phantom-failed" });
  assert.throws(() => failed.append("null\n5\n").done(), ChdbQueryError); // in the append or the commit
  assert.equal(listed("fz-phantom-failed"), "0\n"); // was 1 (is_cancelled 0) until conn ran its next query
  const cancelled = conn.insertStream("INSERT INTO fz_ins_phantom", "JSONEachRow", { queryId: "fz-phantom-cancelled" });
  cancelled.append('{"n":1}\n');
  cancelled.cancel();
  assert.equal(listed("fz-phantom-cancelled"), "0\n");
  assert.equal(conn.query("SELECT count() FROM fz_ins_phantom", "TSV").text(), "0\n");
  conn.query("DROP TABLE fz_ins_phantom");
});

test("fuzz finding: a stream whose query is killed by its id fails with QUERY_WAS_CANCELLED (was: ended as if complete)", async () => {
  using conn = connect();
  // Killed early (its three rows take ~3 ms), the engine's streaming API often ended the stream
  // with no error: the rows before the kill, or none, looked like the whole result.
  let killed = 0;
  for (let i = 0; i < 60 && killed < 10; i++) {
    const id = `fz-killed-stream-${i}`;
    const stream = conn.stream("SELECT sleepEachRow(0.001) FROM numbers(3)", "CSV", { queryId: id });
    const first = stream.nextAsync();
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (!cancelQuery(id)) {
      await first.catch(() => {});
      stream.close();
      continue; // the query had ended or not started: nothing was killed
    }
    killed++;
    const drain = async () => {
      for (let chunk = await first; chunk !== null; chunk = await stream.nextAsync());
    };
    await assert.rejects(drain(), (e) => e instanceof ChdbQueryError && e.code === 394);
  }
  assert.ok(killed >= 5, `only ${killed} kills landed`);
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
});
