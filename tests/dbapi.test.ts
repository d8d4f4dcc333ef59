import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbClosedError, ChdbNotImplementedError, dbapi, engineVersion } from "../mod.ts";

test("dbapi: connect, cursor, execute, description, fetchone (the chDB example)", () => {
  assert.equal(dbapi.getClientInfo(), engineVersion());
  assert.equal(dbapi.apilevel, "2.0");
  const conn = dbapi.connect();
  const cur = conn.cursor();
  cur.execute("SELECT 'chdb' AS v, toNullable(1) AS n");
  assert.deepEqual(cur.description, [
    ["v", "String", null, null, null, null, false],
    ["n", "Nullable(UInt8)", null, null, null, null, true],
  ]);
  assert.deepEqual(cur.fetchone(), ["chdb", 1]);
  assert.equal(cur.fetchone(), null);
  cur.close();
  assert.throws(() => cur.fetchone(), ChdbClosedError);
  conn.commit();
  assert.throws(() => conn.rollback(), ChdbNotImplementedError);
  conn.close();
});

test("dbapi: fetchmany, fetchall, iteration, rowcount, arraysize", () => {
  using conn = dbapi.connect();
  using cur = conn.cursor();
  cur.execute("SELECT number, toString(number) FROM numbers({n:UInt32})", { n: 7 });
  assert.equal(cur.rowcount, 7);
  assert.deepEqual(cur.fetchmany(), [[0n, "0"]]);
  cur.arraysize = 2;
  assert.deepEqual(cur.fetchmany(), [[1n, "1"], [2n, "2"]]);
  assert.deepEqual(cur.fetchmany(3), [[3n, "3"], [4n, "4"], [5n, "5"]]);
  assert.deepEqual(cur.fetchall(), [[6n, "6"]]);
  assert.deepEqual(cur.fetchall(), []);
  cur.execute("SELECT number FROM numbers(3)");
  assert.deepEqual([...cur].map(([n]) => n), [0n, 1n, 2n]);
});

test("dbapi: DDL, executemany and rowcount of writes", async () => {
  using conn = dbapi.connect();
  using cur = conn.cursor();
  cur.execute("CREATE TABLE IF NOT EXISTS db_items (id UInt32, tags Array(String), at DateTime('UTC')) ENGINE = Memory");
  assert.equal(cur.description, null);
  cur.execute("TRUNCATE TABLE db_items");
  cur.executemany("INSERT INTO db_items VALUES ({id:UInt32}, {tags:Array(String)}, {at:DateTime('UTC')})", [
    { id: 1, tags: ["a", "b'c"], at: new Date("2024-03-04T05:06:07Z") },
    { id: 2, tags: [], at: new Date(0) },
  ]);
  assert.equal(cur.rowcount, 2);
  await cur.executeAsync("SELECT * FROM db_items ORDER BY id");
  assert.deepEqual(cur.fetchall(), [[1, ["a", "b'c"], new Date("2024-03-04T05:06:07Z")], [2, [], new Date(0)]]);
  cur.execute("DROP TABLE db_items");
});
