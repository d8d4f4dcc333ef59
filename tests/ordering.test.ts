// Calls on one object run in call order: asynchronous calls queue, a synchronous call while
// asynchronous ones are in flight throws ChdbBusyError, close()/cancel() during asynchronous
// work frees the native handle only after it, and every object refuses use after close.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbBusyError, ChdbClosedError, col, connect, StringHashSet } from "../mod.ts";

test("insert stream: cancel() during appendAsync() frees nothing under it and commits nothing", async () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS ord_a (x UInt32) ENGINE = Memory");
  conn.query("CREATE TABLE IF NOT EXISTS ord_b (x UInt32) ENGINE = Memory");
  for (let run = 0; run < 10; run++) {
    conn.query("TRUNCATE TABLE ord_a");
    conn.query("TRUNCATE TABLE ord_b");
    const insert = conn.insertStream("INSERT INTO ord_a");
    const append = insert.appendAsync("1\n2\n3\n");
    insert.cancel();
    let next;
    try {
      next = conn.insertStream("INSERT INTO ord_b"); // the connection is held until the append ran
    } catch (e) {
      assert.ok(e instanceof ChdbBusyError, String(e));
    }
    await append.catch(() => {});
    next ??= conn.insertStream("INSERT INTO ord_b");
    next.append("9\n");
    assert.equal(next.done().rowsWritten, 1);
    assert.equal(conn.query("SELECT count() FROM ord_a", "TSV").text(), "0\n", `run ${run}`);
    assert.equal(conn.query("SELECT groupArray(x) FROM ord_b", "TSV").text(), "[9]\n", `run ${run}`);
  }
  conn.query("DROP TABLE ord_a");
  conn.query("DROP TABLE ord_b");
});

test("insert stream: a synchronous append() never overtakes an appendAsync()", async () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS ord_c (x UInt32, at UInt64 DEFAULT rowNumberInAllBlocks()) ENGINE = Memory");
  conn.query("TRUNCATE TABLE ord_c");
  const insert = conn.insertStream("INSERT INTO ord_c (x)");
  const first = insert.appendAsync("1\n");
  assert.throws(() => insert.append("2\n"), ChdbBusyError);
  assert.throws(() => insert.done(), ChdbBusyError);
  const second = insert.appendAsync("3\n");
  const done = insert.doneAsync(); // queued after both appends
  await first;
  await second;
  assert.equal((await done).rowsWritten, 2);
  assert.equal(conn.query("SELECT groupArray(x) FROM ord_c", "TSV").text(), "[1,3]\n");
  assert.throws(() => insert.append("4\n"), ChdbClosedError);
  await assert.rejects(insert.appendAsync("4\n"), ChdbClosedError);
  conn.query("DROP TABLE ord_c");
});

test("connection: a synchronous call while async calls are in flight throws ChdbBusyError; order holds", async () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS ord_d (x UInt32) ENGINE = Memory");
  conn.query("TRUNCATE TABLE ord_d");
  const insert = conn.queryAsync("INSERT INTO ord_d SELECT number FROM numbers(1000)");
  assert.throws(() => conn.query("SELECT count() FROM ord_d"), ChdbBusyError);
  assert.throws(() => conn.queryArrow("SELECT 1"), ChdbBusyError);
  assert.throws(() => conn.stream("SELECT 1"), ChdbBusyError);
  assert.throws(() => conn.streamArrow("SELECT 1"), ChdbBusyError);
  const count = conn.queryAsync("SELECT count() FROM ord_d", "TSV");
  await insert;
  assert.equal((await count).text(), "1000\n");
  assert.equal(conn.query("SELECT count() FROM ord_d", "TSV").text(), "1000\n");
  conn.query("DROP TABLE ord_d");
});

test("cursor and statement: async then sync calls are refused until awaited; close during async work", async () => {
  using conn = connect();
  const cursor = conn.cursor();
  const running = cursor.executeAsync("SELECT number FROM numbers(3)");
  assert.throws(() => cursor.fetchall(), ChdbBusyError);
  assert.throws(() => cursor.execute("SELECT 1"), ChdbBusyError);
  await running;
  assert.equal(cursor.fetchall().length, 3);
  const closing = cursor.executeAsync("SELECT 1");
  cursor.close();
  await closing;
  assert.throws(() => cursor.fetchone(), ChdbClosedError);
  assert.throws(() => cursor.execute("SELECT 1"), ChdbClosedError);

  const statement = conn.prepare("SELECT {n:UInt8} AS n");
  const all = statement.allAsync({ n: 1 });
  assert.throws(() => statement.all({ n: 2 }), ChdbBusyError);
  assert.deepEqual(await all, [{ n: 1 }]);
  assert.deepEqual(statement.all({ n: 2 }), [{ n: 2 }]);
  statement.finalize();
  assert.throws(() => statement.all({ n: 3 }), ChdbClosedError);
  await assert.rejects(statement.allAsync({ n: 3 }), ChdbClosedError);
});

test("query stream: next() during nextAsync() is refused; close() during it frees after it", async () => {
  const conn = connect();
  const stream = conn.stream("SELECT number FROM numbers(100000) SETTINGS max_block_size = 1000", "CSV");
  const first = stream.nextAsync();
  assert.throws(() => stream.next(), ChdbBusyError);
  const second = stream.nextAsync(); // queued behind the first
  stream.close();
  assert.equal(stream.closed, true);
  const chunk = await first; // calls made before close() run, then the stream is freed
  assert.ok(chunk !== null && chunk.text().startsWith("0\n"));
  const chunk2 = await second;
  assert.ok(chunk2 !== null && chunk2.text().startsWith("1000\n"));
  assert.equal(stream.next(), null);
  assert.equal(await stream.nextAsync(), null);
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n"); // the connection is free again
  // The connection's close() during a fetch closes the stream after it.
  const again = conn.stream("SELECT number FROM numbers(100000) SETTINGS max_block_size = 1000", "CSV");
  const pending = again.nextAsync();
  const freed = conn.closeAsync();
  assert.equal(again.closed, true);
  assert.ok((await pending)?.text().startsWith("0\n"));
  await freed;
  assert.equal(await again.nextAsync(), null);
  assert.throws(() => conn.stream("SELECT 1"), ChdbClosedError);
});

test("arrow stream, lazy query, hash set: use after close throws ChdbClosedError", () => {
  const conn = connect();
  const stream = conn.streamArrow("SELECT number FROM numbers(10)");
  stream.close();
  assert.throws(() => stream.next(), ChdbClosedError);
  const held = conn.streamArrow("SELECT number FROM numbers(100000) SETTINGS max_block_size = 1000");
  held.next();
  const lazy = conn.lazy("SELECT toString(number) AS id FROM numbers(10)");
  conn.close(); // closes the stream that holds it
  assert.equal(held.closed, true);
  assert.throws(() => held.next(), ChdbClosedError);
  const set = new StringHashSet();
  assert.throws(() => lazy.filter(col("id").hashfilter.isIn(set)).collect(), ChdbClosedError);
  set.close();
  set.close();
  assert.throws(() => set.insert("a"), ChdbClosedError);
  assert.throws(() => conn.query("SELECT 1"), ChdbClosedError);
  assert.throws(() => conn.cursor(), ChdbClosedError);
  assert.throws(() => conn.prepare("SELECT 1"), ChdbClosedError);
  assert.throws(() => conn.insertStream("INSERT INTO t"), ChdbClosedError);
});
