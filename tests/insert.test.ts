// insert() through Arrow and command() with statistics (issue 13).
import assert from "node:assert/strict";
import { test } from "node:test";
import { tableFromArrays } from "apache-arrow";
import { ChdbArgumentError, ChdbQueryError, connect } from "../mod.ts";

test("command: DDL and INSERT ... SELECT return the engine's statistics", async () => {
  using conn = connect();
  const created = conn.command("CREATE TABLE cmd_t (a UInt32, s String) ENGINE = Memory");
  assert.equal(created.rowsWritten, 0);
  try {
    const stats = conn.command("INSERT INTO cmd_t SELECT number, toString(number) FROM numbers({n:UInt32})", {
      params: { n: 5 },
    });
    assert.equal(stats.rowsWritten, 5);
    assert.ok(stats.bytesWritten > 0);
    assert.equal(typeof stats.elapsed, "number");
    assert.equal((await conn.commandAsync("INSERT INTO cmd_t VALUES (9, 'x')")).rowsWritten, 1);
    assert.equal(conn.query("SELECT count() FROM cmd_t").text(), "6\n");
    assert.throws(() => conn.command("CREAT TABLE x"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
  } finally {
    conn.command("DROP TABLE cmd_t");
  }
});

test("insert: rows, columns and Arrow tables go in through Arrow, columns matched by name", async () => {
  using conn = connect();
  conn.command("CREATE TABLE ins_t (id UInt32, name String, score Float64 DEFAULT 0.5) ENGINE = Memory");
  try {
    // row objects, keys in another order than the table's columns; score left to its DEFAULT
    assert.equal(conn.insert("ins_t", [{ name: "tom", id: 1 }, { name: "jerry", id: 2 }]).rowsWritten, 2);
    // a record of columns
    assert.equal(conn.insert("ins_t", { id: [3, 4], name: ["a", "b"], score: [1.5, 2.5] }).rowsWritten, 2);
    // an apache-arrow Table, read in place
    const arrow = tableFromArrays({
      id: Uint32Array.from([5]),
      name: ["it's `quoted`"],
      score: Float64Array.from([9]),
    });
    assert.equal((await conn.insertAsync("default.ins_t", arrow)).rowsWritten, 1);
    assert.equal(
      conn.query("SELECT id, name, score FROM ins_t ORDER BY id", "CSV").text(),
      '1,"tom",0.5\n2,"jerry",0.5\n3,"a",1.5\n4,"b",2.5\n5,"it\'s `quoted`",9\n',
    );
    // nothing stays registered on the connection
    assert.throws(() => conn.query("SELECT * FROM arrowstream('__chdb_ffi_insert_0')"), ChdbQueryError);
  } finally {
    conn.command("DROP TABLE ins_t");
  }
});

test("insert: 100k rows in one call; errors are ChdbErrors and leave no registration behind", () => {
  using conn = connect();
  conn.command("CREATE TABLE ins_big (id UInt32, v String) ENGINE = Memory");
  try {
    const n = 100_000;
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    const vs = Array.from({ length: n }, (_, i) => `v${i}`);
    assert.equal(conn.insert("ins_big", { id: ids, v: vs }).rowsWritten, n);
    assert.equal(conn.query("SELECT sum(id), count(DISTINCT v) FROM ins_big").text(), `${(n * (n - 1)) / 2},${n}\n`);
    assert.throws(() => conn.insert("ins_big", [{ nope: 1 }]), ChdbQueryError); // unknown column
    assert.throws(() => conn.insert("ins_big; DROP TABLE ins_big", [{ id: 1 }]), ChdbArgumentError);
    assert.throws(() => conn.insert("a.b.c", [{ id: 1 }]), ChdbArgumentError);
    assert.throws(() => conn.insert("ins_big", {}), ChdbArgumentError);
    assert.equal(conn.query("SELECT count() FROM ins_big").text(), `${n}\n`);
  } finally {
    conn.command("DROP TABLE ins_big");
  }
});
