import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbClosedError, connect, createPool, SMALL_QUERY_SETTINGS } from "../mod.ts";

/** The most queries with `marker` in their text the engine ever ran at once while `work` ran. */
async function mostAtOnce(marker: string, work: Promise<unknown>): Promise<number> {
  using observer = connect();
  let done = false;
  const finished = work.finally(() => (done = true));
  let most = 0;
  while (!done) {
    const running = Number(
      observer.query(
        "SELECT count() FROM system.processes WHERE query LIKE {m:String} AND query NOT LIKE '%system.processes%'",
        "TSV",
        { params: { m: `%${marker}%` } },
      ).text(),
    );
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 20));
  }
  await finished;
  return most;
}

test("pool: N async queries run at once, one per connection", async () => {
  await using pool = createPool({ size: 3 });
  const work = Promise.all([1, 2, 3].map((i) => pool.queryAsync(`SELECT sleep(0.6), ${i} AS pool_parallel_marker`)));
  assert.equal(await mostAtOnce("pool_parallel_marker", work), 3);
  assert.deepEqual((await work).map((r) => r.text()), ["0,1\n", "0,2\n", "0,3\n"]);
});

test("pool: a single connection runs its async calls one at a time (the reason for the pool)", async () => {
  await using conn = connect();
  const work = Promise.all([1, 2].map((i) => conn.queryAsync(`SELECT sleep(0.4), ${i} AS one_conn_marker`)));
  assert.equal(await mostAtOnce("one_conn_marker", work), 1);
});

test("pool: small-query settings by default, the caller's when given", async () => {
  await using pool = createPool({ size: 2 });
  assert.equal(pool.size, 2);
  assert.equal(pool.path, ":memory:");
  const r = await pool.queryAsync("SELECT getSetting('max_threads'), getSetting('output_format_parallel_formatting')");
  assert.equal(SMALL_QUERY_SETTINGS.max_threads, 1);
  assert.equal(r.text(), "1,false\n");
  await using custom = createPool({ size: 1, settings: { max_threads: 3 } });
  assert.equal((await custom.queryAsync("SELECT getSetting('max_threads')")).text(), "3\n");
  // the settings check at connect must not trip over the query cache (it reads a system table)
  await using cached = createPool({ size: 1, settings: { use_query_cache: 1 } });
  assert.equal((await cached.queryAsync("SELECT 1")).text(), "1\n");
});

test("pool: shares the data of its path; Arrow results; errors reject", async () => {
  await using pool = createPool({ size: 2 });
  using conn = connect();
  conn.query("CREATE TABLE pool_shared (x UInt32) ENGINE = Memory");
  conn.query("INSERT INTO pool_shared SELECT number FROM numbers(10)");
  try {
    const sums = await Promise.all([0, 1, 2, 3].map(() => pool.queryAsync("SELECT sum(x) FROM pool_shared")));
    assert.deepEqual(sums.map((r) => r.text()), ["45\n", "45\n", "45\n", "45\n"]);
    using table = await pool.queryArrowAsync("SELECT x FROM pool_shared ORDER BY x");
    assert.equal(table.numRows, 10);
    using viaFormat = await pool.queryAsync("SELECT 1 AS a", "ArrowTable");
    assert.equal(viaFormat.getChild("a")?.get(0), 1);
    assert.equal((await pool.insertAsync("pool_shared", [{ x: 100 }])).rowsWritten, 1);
    assert.equal((await pool.commandAsync("INSERT INTO pool_shared VALUES (200)")).rowsWritten, 1);
    assert.equal(conn.query("SELECT sum(x) FROM pool_shared").text(), "345\n");
    await assert.rejects(pool.queryAsync("SELEC 1"), (e: unknown) => (e as { code?: number }).code === 62);
  } finally {
    conn.query("DROP TABLE pool_shared");
  }
});

test("pool: bad sizes are refused; calls after close reject with ChdbClosedError", async () => {
  for (const size of [0, -1, 1.5, 1000, Number.NaN]) {
    assert.throws(() => createPool({ size }), ChdbArgumentError);
  }
  const pool = createPool({ size: 2 });
  const running = pool.queryAsync("SELECT sleep(0.2), 7");
  pool.close();
  assert.equal((await running).text(), "0,7\n"); // calls made before close finish
  assert.equal(pool.closed, true);
  await assert.rejects(pool.queryAsync("SELECT 1"), ChdbClosedError);
  pool.close(); // idempotent
  await pool.closeAsync();
});
