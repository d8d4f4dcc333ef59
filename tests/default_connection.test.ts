// query()'s default connection never blocks a Session or connect() on another path (issue 13).
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ChdbPathConflictError, connect, query, queryAsync, Session } from "../mod.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "chdb-ffi-default-"));
}

test("default connection: the README example (query(), then new Session(path)) works", () => {
  query("SELECT version()", "Pretty");
  const dir = tempDir();
  try {
    {
      using sess = new Session(join(dir, "my-data"));
      sess.query("CREATE TABLE IF NOT EXISTS t (x String, y Int32) ENGINE = MergeTree ORDER BY x");
      sess.query("INSERT INTO t VALUES ({x:String}, {y:Int32})", "CSV", { params: { x: "a", y: 1 } });
      assert.equal(sess.query("SELECT x, y FROM t").text(), '"a",1\n');
    }
    assert.equal(query("SELECT 42").text(), "42\n"); // and query() again afterwards
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("default connection: query() while a Session on a path is open runs on that path; in memory after", () => {
  const dir = tempDir();
  try {
    const sess = new Session(dir);
    sess.query("CREATE TABLE on_path (a UInt8) ENGINE = MergeTree ORDER BY a; INSERT INTO on_path VALUES (5)");
    assert.equal(query("SELECT a FROM on_path").text(), "5\n");
    assert.equal(query("SELECT count() FROM system.tables WHERE name = 'on_path'").text(), "1\n");
    sess.close();
    // The Session is gone: query() is back in memory, where on_path does not exist.
    assert.equal(query("SELECT count() FROM system.tables WHERE name = 'on_path'").text(), "0\n");
    using mem = connect(); // and an in-memory connection opens
    assert.equal(mem.query("SELECT 1").text(), "1\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("default connection: connect(path) after query() works; a busy default connection conflicts and is named", async () => {
  const dir = tempDir();
  try {
    query("SELECT 1");
    connect(dir).close(); // the idle default connection gave way
    const running = queryAsync("SELECT sleep(0.5), 1");
    // queryAsync opened the default connection in memory and runs on it: that one does not give way.
    assert.throws(() => connect(join(dir, "other")), (e: unknown) => {
      return e instanceof ChdbPathConflictError &&
        e.message.includes(":memory: is open (1 query() default connection)") && e.message.includes(join(dir, "other"));
    });
    assert.equal((await running).text(), "0,1\n");
    connect(join(dir, "other")).close(); // idle again: gives way
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("default connection: the conflict message names only the connections that conflict", () => {
  const dir = tempDir();
  try {
    query("SELECT 1"); // idle default connection: not named, gives way
    const sess = new Session(dir);
    query("SELECT 1"); // the default connection now runs on dir too, idle
    const second = connect(dir);
    try {
      assert.throws(() => connect(), (e: unknown) => {
        return e instanceof ChdbPathConflictError && e.message.includes(`${dir} is open (1 Session, 1 Connection);`);
      });
      // a user connection in memory: the idle default connection is not named beside it
      sess.close();
      second.close();
      query("SELECT 1");
      using mine = connect();
      assert.throws(() => connect(dir), (e: unknown) => {
        return e instanceof ChdbPathConflictError && e.message.includes(":memory: is open (1 Connection);");
      });
    } finally {
      second.close();
      sess.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
