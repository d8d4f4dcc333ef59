import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbClosedError, ChdbQueryError, connect, queryAsync } from "../mod.ts";

test("async: timers fire while SELECT sleep(1) runs", async () => {
  const events: string[] = [];
  const timer = setTimeout(() => events.push("timer"), 100);
  const result = await queryAsync("SELECT sleep(1), 42");
  events.push("query");
  clearTimeout(timer);
  assert.equal(result.text(), "0,42\n");
  assert.deepEqual(events, ["timer", "query"]);
});

test("async: results and metrics match the sync call", async () => {
  using conn = connect();
  const sql = "SELECT number, toString(number) FROM numbers(1000)";
  const sync = conn.query(sql, "JSONCompactEachRow");
  const async_ = await conn.queryAsync(sql, "JSONCompactEachRow");
  assert.deepEqual(async_.bytes(), sync.bytes());
  assert.equal(async_.rowsRead, 1000);
  assert.equal(async_.format, "JSONCompactEachRow");
});

test("async: engine errors reject with ChdbQueryError and its code", async () => {
  using conn = connect();
  await assert.rejects(conn.queryAsync("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
  assert.equal((await conn.queryAsync("SELECT 1")).text(), "1\n"); // still usable
});

test("async: bad arguments reject instead of throwing synchronously", async () => {
  using conn = connect();
  const p = conn.queryAsync(42 as unknown as string);
  assert.ok(p instanceof Promise);
  await assert.rejects(p, /sql must be a string/);
  await assert.rejects(conn.queryAsync("SELECT 1", "CSV", { signal: "no" as unknown as AbortSignal }), /AbortSignal/);
});

test("async: one connection runs its calls in call order", async () => {
  using conn = connect();
  const order: number[] = [];
  // Earlier calls sleep longer: only queuing keeps them in order.
  await Promise.all([1, 2, 3, 4].map((i) =>
    conn.queryAsync(`SELECT sleep(${(0.25 - i * 0.05).toFixed(2)}), ${i}`).then((r) => order.push(Number(r.text().split(",")[1])))
  ));
  assert.deepEqual(order, [1, 2, 3, 4]);
});

test("async: many calls over several connections all get their own results", async () => {
  const conns = Array.from({ length: 4 }, () => connect());
  try {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => conns[i % 4].queryAsync(`SELECT ${i} * 2, repeat('x', ${i})`, "TSV")),
    );
    results.forEach((r, i) => assert.equal(r.text(), `${i * 2}\t${"x".repeat(i)}\n`));
  } finally {
    conns.forEach((c) => c.close());
  }
});

test("async: close() lets the calls made before it finish, then frees the connection", async () => {
  const conn = connect();
  const running = conn.queryAsync("SELECT sleep(0.3), 1");
  const queued = conn.queryAsync("SELECT 2");
  conn.close();
  assert.equal(conn.closed, true);
  await assert.rejects(conn.queryAsync("SELECT 3"), ChdbClosedError);
  assert.throws(() => conn.query("SELECT 3"), ChdbClosedError);
  assert.equal((await running).text(), "0,1\n");
  assert.equal((await queued).text(), "2\n");
  await conn.closeAsync(); // resolves once freed; idempotent
  conn.close();
});

test("async: await using closes after the last call", async () => {
  let pending: Promise<unknown>;
  {
    await using conn = connect();
    pending = conn.queryAsync("SELECT sleep(0.2)");
  }
  assert.equal((await pending as { text(): string }).text(), "0\n");
});

test("async: an AbortSignal stops waiting; the connection stays usable", async () => {
  using conn = connect();
  const controller = new AbortController();
  const running = conn.queryAsync("SELECT sleep(1)", "CSV", { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(running, (e: unknown) => (e as Error).name === "AbortError");
  assert.equal((await conn.queryAsync("SELECT 'after'", "TSV")).text(), "after\n");
});

test("async: an aborted call that has not started never runs", async () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS async_abort (x UInt8) ENGINE = Memory");
  conn.query("TRUNCATE TABLE async_abort");
  const controller = new AbortController();
  const first = conn.queryAsync("SELECT sleep(0.3)");
  const second = conn.queryAsync("INSERT INTO async_abort VALUES (1)", "CSV", { signal: controller.signal });
  controller.abort(new Error("changed my mind"));
  await assert.rejects(second, /changed my mind/);
  await first;
  assert.equal(conn.query("SELECT count() FROM async_abort").text(), "0\n");
  await assert.rejects(
    conn.queryAsync("SELECT 1", "CSV", { signal: AbortSignal.abort() }),
    (e: unknown) => (e as Error).name === "AbortError",
  );
  conn.query("DROP TABLE async_abort");
});
