import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbBusyError, ChdbClosedError, ChdbQueryError, connect } from "../mod.ts";

const decoder = new TextDecoder();

test("stream: sync iteration yields chunks that add up to the whole result", () => {
  using conn = connect();
  const sql = "SELECT number FROM numbers(300000)";
  let text = "";
  let chunks = 0;
  let largest = 0;
  for (const chunk of conn.stream(sql, "TSV")) {
    chunks++;
    largest = Math.max(largest, chunk.length);
    text += chunk.text();
  }
  assert.ok(chunks > 1, `${chunks} chunks`);
  assert.ok(largest < text.length / 2, "no chunk holds most of the output");
  assert.equal(text, conn.query(sql, "TSV").text());
});

test("stream: async iteration keeps the event loop running and gives the same bytes", async () => {
  using conn = connect();
  const sql = "SELECT number, toString(number) FROM numbers(200000)";
  const parts: Uint8Array[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  for await (const chunk of conn.stream(sql, "CSV")) parts.push(chunk.bytes());
  clearInterval(timer);
  assert.ok(parts.length > 1);
  assert.equal(parts.map((p) => decoder.decode(p)).join(""), conn.query(sql, "CSV").text());
});

test("stream: leaving the loop cancels the query and frees the connection for the next one", async () => {
  using conn = connect();
  for (const chunk of conn.stream("SELECT number FROM numbers(1000000000)", "CSV")) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.equal(conn.query("SELECT 1").text(), "1\n");
  for await (const _ of conn.stream("SELECT number FROM numbers(1000000000)", "CSV")) break;
  assert.equal((await conn.queryAsync("SELECT 2")).text(), "2\n");
});

test("stream: the connection is busy while a stream is open", () => {
  using conn = connect();
  const stream = conn.stream("SELECT 1");
  assert.throws(() => conn.query("SELECT 2"), ChdbBusyError);
  assert.throws(() => conn.stream("SELECT 2"), ChdbBusyError);
  stream.close();
  stream.close();
  assert.equal(stream.next(), null);
  assert.equal(conn.query("SELECT 3").text(), "3\n");
});

test("stream: parameters, errors at open and in mid-stream", async () => {
  using conn = connect();
  const chunks = [...conn.stream("SELECT {x:String} AS s", "CSV", { params: { x: "it's" } })].map((c) => c.text());
  assert.deepEqual(chunks, [`"it's"\n`]);
  assert.throws(() => [...conn.stream("SELEC 1")], (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
  await assert.rejects(async () => {
    for await (const _ of conn.stream("SELECT throwIf(number = 150000) FROM numbers(300000)", "CSV")) { /* drain */ }
  }, ChdbQueryError);
  assert.equal(conn.query("SELECT 'ok'", "TSV").text(), "ok\n");
});

test("stream: an AbortSignal stops async iteration between chunks", async () => {
  using conn = connect();
  const controller = new AbortController();
  let chunks = 0;
  await assert.rejects(async () => {
    for await (const _ of conn.stream("SELECT number FROM numbers(1000000000)", "CSV", { signal: controller.signal })) {
      if (++chunks === 2) controller.abort();
    }
  }, (e: unknown) => (e as Error).name === "AbortError");
  assert.equal(chunks, 2);
  assert.equal(conn.query("SELECT 1").text(), "1\n");
});

test("stream: closing the connection closes its open stream", () => {
  const conn = connect();
  const stream = conn.stream("SELECT number FROM numbers(1000000000)", "CSV");
  assert.ok(stream.next()!.length > 0);
  conn.close();
  assert.equal(stream.closed, true);
  assert.throws(() => conn.stream("SELECT 1"), ChdbClosedError);
});

test("insertStream: chunks split anywhere, done() commits, cancel() does not", async () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS ins_t (a UInt32, s String) ENGINE = Memory");
  conn.query("TRUNCATE TABLE ins_t");
  const insert = conn.insertStream("INSERT INTO ins_t", "CSV");
  assert.throws(() => conn.query("SELECT 1"), ChdbBusyError);
  insert.append("1,\"on").append(new TextEncoder().encode("e\"\n2,two\n"));
  await insert.appendAsync("3,three\n");
  const result = insert.done();
  assert.equal(result.rowsWritten, 3);
  assert.throws(() => insert.append("4,x\n"), ChdbClosedError);
  const json = conn.insertStream("INSERT INTO ins_t (a, s)", "JSONEachRow");
  json.append('{"a": 5, "s": "five"}\n');
  assert.equal((await json.doneAsync()).rowsWritten, 1);
  const dropped = conn.insertStream("INSERT INTO ins_t", "CSV");
  dropped.append("9,nine\n");
  dropped.cancel();
  assert.equal(conn.query("SELECT a, s FROM ins_t ORDER BY a", "CSV").text(), '1,"one"\n2,"two"\n3,"three"\n5,"five"\n');
  conn.query("DROP TABLE ins_t");
});

test("insertStream: bad input and a missing table are clear errors", () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS ins_bad (a UInt32) ENGINE = Memory");
  assert.throws(() => conn.insertStream("INSERT INTO no_such_table", "CSV"), (e: unknown) => e instanceof ChdbQueryError && e.code === 60);
  const insert = conn.insertStream("INSERT INTO ins_bad", "CSV");
  assert.throws(() => {
    insert.append("not a number\n");
    insert.done();
  }, ChdbQueryError);
  assert.throws(() => insert.append(42 as unknown as string), /Uint8Array or a string|finished/);
  assert.equal(conn.query("SELECT count() FROM ins_bad").text(), "0\n");
  conn.query("DROP TABLE ins_bad");
});

test("stream: closing the connection while an async fetch is in flight ends the loop cleanly", async () => {
  const conn = connect();
  const stream = conn.stream("SELECT number, sleepEachRow(0.001) FROM numbers(1000000) SETTINGS max_block_size = 100", "CSV");
  const first = await stream.nextAsync();
  assert.ok(first !== null && first.length > 0);
  const pending = stream.nextAsync();
  conn.close();
  const second = await pending; // the fetch made before close() finishes
  assert.ok(second === null || second.length > 0);
  await conn.closeAsync();
  assert.equal(stream.closed, true);
  await assert.rejects(conn.queryAsync("SELECT 1"), ChdbClosedError);
});

test("stream: the open fetches one chunk ahead of a small first one: ends, errors and closes keep their order", async () => {
  using conn = connect();
  const tiny = "SELECT number FROM numbers(10) SETTINGS max_block_size = 1";
  // The error comes 0.1 s after the first block (else the engine may report it with that block).
  const failing = "SELECT throwIf(sleepEachRow(0.1) = 0 AND number = 1) FROM numbers(2) SETTINGS max_block_size = 1";
  const isThrowIf = (e: unknown) => e instanceof ChdbQueryError && e.code === 395;
  // A result of one small chunk: the stream has ended (and given the connection back) with it.
  const one = conn.stream("SELECT 1", "CSV");
  assert.equal(one.next()!.text(), "1\n");
  assert.equal(one.closed, true);
  assert.equal(conn.query("SELECT 2").text(), "2\n");
  assert.equal(one.next(), null);
  const oneAsync = conn.stream("SELECT 3", "CSV");
  assert.equal((await oneAsync.nextAsync())!.text(), "3\n");
  assert.equal(oneAsync.closed, true);
  assert.equal(await oneAsync.nextAsync(), null);
  // Small chunks (the second fetched by the open), in order; an empty result has none.
  const digits = Array.from({ length: 10 }, (_, i) => `${i}\n`);
  assert.deepEqual([...conn.stream(tiny, "CSV")].map((c) => c.text()), digits);
  const chunks: string[] = [];
  for await (const chunk of conn.stream(tiny, "CSV")) chunks.push(chunk.text());
  assert.deepEqual(chunks, digits);
  assert.deepEqual([...conn.stream("SELECT 1 WHERE 0", "CSV")], []);
  for await (const _ of conn.stream("SELECT 1 WHERE 0", "CSV")) assert.fail("a chunk of an empty result");
  // The error that follows a small chunk comes after that chunk, sync and async.
  const failingSync = conn.stream(failing, "CSV");
  assert.equal(failingSync.next()!.text(), "0\n");
  assert.throws(() => failingSync.next(), isThrowIf);
  assert.equal(failingSync.closed, true);
  const failingAsync = conn.stream(failing, "CSV");
  assert.equal((await failingAsync.nextAsync())!.text(), "0\n");
  await assert.rejects(failingAsync.nextAsync(), isThrowIf);
  // Closed while it holds the chunk fetched ahead: the connection runs the next query.
  const held = conn.stream(tiny, "CSV");
  assert.equal((await held.nextAsync())!.text(), "0\n");
  held.close();
  assert.equal(conn.query("SELECT 4").text(), "4\n");
});
