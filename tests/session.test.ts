import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  ChdbArgumentError,
  ChdbClosedError,
  ChdbConnectionError,
  ChdbPathConflictError,
  closeDefaultConnection,
  connect,
  Connection,
  query,
  Session,
} from "../mod.ts";
import { fixture, runScript, tempDir } from "./helpers.ts";

test("the seed's session example: database, Log table and view, Pretty output", () => {
  using sess = new Session();
  sess.query("CREATE DATABASE IF NOT EXISTS db_xxx ENGINE = Atomic");
  sess.query("CREATE TABLE IF NOT EXISTS db_xxx.log_table_xxx (x String, y Int) ENGINE = Log;");
  sess.query("INSERT INTO db_xxx.log_table_xxx VALUES ('a', 1), ('b', 3), ('c', 2), ('d', 5);");
  sess.query("CREATE VIEW db_xxx.view_xxx AS SELECT * FROM db_xxx.log_table_xxx LIMIT 4;");
  const pretty = sess.query("SELECT * FROM db_xxx.view_xxx", "Pretty").text();
  for (const cell of ["┃ x ┃ y ┃", "│ a │ 1 │", "│ d │ 5 │"]) assert.ok(pretty.includes(cell), pretty);
  sess.query("DROP DATABASE db_xxx");
});

test("in-memory connections share data; settings stay per connection", () => {
  using a = connect();
  using b = connect(":memory:", { settings: { max_threads: 1 } });
  a.query("CREATE TABLE shared_t (v Int32) ENGINE = Memory; INSERT INTO shared_t VALUES (7)");
  assert.equal(b.query("SELECT v FROM shared_t").text(), "7\n");
  assert.equal(b.query("SELECT getSetting('max_threads')").text(), "1\n");
  assert.notEqual(a.query("SELECT getSetting('max_threads')").text(), "1\n");
  a.query("DROP TABLE shared_t");
});

test("close is idempotent; use after close is ChdbClosedError; using closes", () => {
  const c = connect();
  assert.equal(c.closed, false);
  c.close();
  c.close();
  assert.equal(c.closed, true);
  assert.throws(() => c.query("SELECT 1"), ChdbClosedError);
  let escaped: Connection;
  {
    using d = connect();
    escaped = d;
    assert.equal(d.query("SELECT 3").text(), "3\n");
  }
  assert.equal(escaped.closed, true);
  assert.throws(() => escaped.query("SELECT 1"), ChdbClosedError);
});

test("a second data path while one is open is ChdbPathConflictError", () => {
  using holder = connect(); // an in-memory connection of the user's: it really conflicts
  const dir = tempDir();
  try {
    assert.throws(() => new Session(dir), (e: unknown) => {
      return e instanceof ChdbPathConflictError && /one data path per process/.test(e.message) &&
        e.message.includes(dir) && /:memory: is open \(1 Connection\)/.test(e.message);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(holder.closed, false);
});

test("invalid paths and options are ChdbArgumentError", () => {
  assert.throws(() => connect("bad\0path"), ChdbArgumentError);
  assert.throws(() => connect(42 as unknown as string), ChdbArgumentError);
  assert.throws(() => connect(":memory:", { settings: { "bad name": 1 } }), ChdbArgumentError);
  assert.throws(() => new Session("/tmp/x", { temporary: true }), ChdbArgumentError);
});

test("an unknown setting or an invalid value fails the connection with a clear error", () => {
  assert.throws(() => connect(":memory:", { settings: { no_such_setting_xyz: 1 } }), (e: unknown) => {
    return e instanceof ChdbConnectionError && /unknown setting\(s\): no_such_setting_xyz/.test(e.message);
  });
  assert.throws(() => connect(":memory:", { settings: { max_threads: "abc" } }), (e: unknown) => {
    return e instanceof ChdbConnectionError && /chdb_connect failed for :memory: with --max_threads=abc/.test(e.message);
  });
});

test("a temporary session owns a private directory and removes it on close", () => {
  closeDefaultConnection(); // one data path per process
  const sess = Session.temporary();
  try {
    assert.equal(sess.temporary, true);
    assert.ok(existsSync(sess.path));
    sess.query("CREATE TABLE tmp_mt (a Int32) ENGINE = MergeTree ORDER BY a; INSERT INTO tmp_mt VALUES (1), (2)");
    assert.equal(sess.query("SELECT sum(a) FROM tmp_mt").text(), "3\n");
  } finally {
    sess.cleanup();
  }
  assert.ok(!existsSync(sess.path));
  assert.equal(query("SELECT 4").text(), "4\n"); // the default connection reopens
});

test("session objects survive close and reopen on a user path, which is never deleted", () => {
  const dir = join(tempDir(), "data");
  try {
    const write = runScript(fixture("persist_child.ts"), [dir, "write"]);
    assert.equal(write.status, 0, write.stderr.toString());
    assert.equal(write.stdout.toString(), "written\n");
    assert.ok(existsSync(dir));
    const read = runScript(fixture("persist_child.ts"), [dir, "read"]);
    assert.equal(read.status, 0, read.stderr.toString());
    assert.equal(read.stdout.toString(), '"a",10;"b",30;"c",20\n4950\n42\nChdbPathConflictError: true\n');
    assert.ok(existsSync(dir), "a user path is never deleted");
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});
