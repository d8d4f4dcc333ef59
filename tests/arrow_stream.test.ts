// streamArrow(): Arrow RecordBatches one at a time, sync and async, cancellable.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { RecordBatch } from "apache-arrow";
import { ChdbClosedError, ChdbError, ChdbQueryError, connect } from "../mod.ts";
import { fixture, runScript, runtime } from "./helpers.ts";

const conn = connect();
after(() => conn.close());

describe("streamArrow", () => {
  test("yields every row in batches (sync iteration)", () => {
    let rows = 0;
    let batches = 0;
    let sum = 0n;
    for (const batch of conn.streamArrow("SELECT number AS n, toString(number) AS s FROM numbers(300000)")) {
      assert.ok(batch instanceof RecordBatch);
      batches++;
      rows += batch.numRows;
      for (const v of batch.getChild("n")!) sum += v as bigint;
      assert.equal(batch.getChild("s")!.get(0), String(batch.getChild("n")!.get(0)));
    }
    assert.ok(batches > 1);
    assert.equal(rows, 300000);
    assert.equal(sum, 299999n * 300000n / 2n);
  });

  test("an empty result yields no batch but has a schema", () => {
    const stream = conn.streamArrow("SELECT 1 AS x, 'a' AS y WHERE 0");
    assert.equal(stream.next(), null);
    assert.deepEqual(stream.schema?.fields.map((f) => f.name), ["x", "y"]);
    assert.equal(stream.closed, true);
  });

  test("async iteration", async () => {
    let rows = 0;
    for await (const batch of conn.streamArrow("SELECT number FROM numbers(100000)")) rows += batch.numRows;
    assert.equal(rows, 100000);
  });

  test("leaving the loop early cancels the query", () => {
    const stream = conn.streamArrow("SELECT number FROM numbers(1000000000)");
    for (const batch of stream) {
      assert.ok(batch.numRows > 0);
      break;
    }
    assert.equal(stream.closed, true);
    assert.equal(conn.query("SELECT 1").text(), "1\n");
  });

  test("a batch is released when the iteration moves on; retain keeps it", () => {
    const stream = conn.streamArrow("SELECT number AS n FROM numbers(200000) SETTINGS max_block_size = 50000");
    const first = stream.next()!;
    assert.equal(first.getChild("n")!.get(0), 0n);
    stream.next();
    assert.equal(first.getChild("n")!.data[0].values.length, 0, "the first batch's views are detached");
    stream.close();
    let kept: RecordBatch | undefined;
    for (
      const batch of conn.streamArrow("SELECT number AS n FROM numbers(100000) SETTINGS max_block_size = 50000", {
        retain: true,
      })
    ) {
      kept ??= batch;
    }
    assert.equal(kept!.getChild("n")!.get(1), 1n);
  });

  test("another query on the connection while a stream is open is refused, not corrupting", () => {
    using stream = conn.streamArrow("SELECT number FROM numbers(1000000)");
    assert.equal(stream.next()!.numRows > 0, true);
    assert.throws(
      () => conn.query("SELECT 1"),
      (e: unknown) => e instanceof ChdbError && /stream is open|open streaming query/.test(e.message),
    );
    assert.throws(() => conn.queryArrow("SELECT 1"), /stream is open|open streaming query/);
    let rows = 0;
    for (let b = stream.next(); b !== null; b = stream.next()) rows += b.numRows;
    assert.ok(rows > 0);
    assert.equal(conn.query("SELECT 2").text(), "2\n");
  });

  test("errors: at start, mid-stream, after close", () => {
    assert.throws(() => conn.streamArrow("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
    assert.throws(() => {
      for (
        const _ of conn.streamArrow(
          "SELECT throwIf(number = 100000) FROM numbers(1000000) SETTINGS max_block_size = 1000",
        )
      ) {
        // drain
      }
    }, (e: unknown) => e instanceof ChdbQueryError && e.code === 395);
    assert.equal(conn.query("SELECT 3").text(), "3\n");
    const stream = conn.streamArrow("SELECT 1");
    stream.close();
    assert.throws(() => stream.next(), ChdbClosedError);
  });

  test("closing the connection closes its open streams", () => {
    const c = connect();
    const stream = c.streamArrow("SELECT number FROM numbers(10000000)");
    stream.next();
    c.close();
    assert.equal(stream.closed, true);
  });

  test("registered tables and bound parameters", () => {
    conn.register("src", { a: [1, 2, 3, 4] });
    try {
      let total = 0n;
      for (
        const b of conn.streamArrow("SELECT a FROM arrowstream('src') WHERE a > {min:Int64}", { params: { min: 2 } })
      ) {
        for (const v of b.getChild("a")!) total += v as bigint;
      }
      assert.equal(total, 7n);
    } finally {
      conn.unregister("src");
    }
  });
});

test(`a script left with Arrow tables, registrations and an open stream exits 0, 10 times (${runtime})`, () => {
  for (let i = 0; i < 10; i++) {
    const r = runScript(fixture("arrow_script.ts"));
    assert.equal(r.stdout.toString(), "tom,jerry\n6\nstreaming\ndone\n", `run ${i}: ${r.stderr}`);
    assert.equal(r.status, 0, `run ${i} exited with ${r.status} (signal ${r.signal}): ${r.stderr}`);
  }
});
