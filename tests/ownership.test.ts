// One owner of native handles (src/core/native_handle.ts) and one status-to-error function: every
// exception path of the shim leaves the connection as it was, dropped streams are freed by
// garbage collection, statuses become the same errors everywhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Status } from "../ffi/symbols.ts";
import { ChdbArgumentError, ChdbBusyError, ChdbClosedError, ChdbError, ChdbQueryError, connect, StringHashSet } from "../mod.ts";
import { statusError } from "../src/core/errors.ts";
import { native } from "../src/core/native.ts";
import { NativeHandle } from "../src/core/native_handle.ts";
import { fixture, runScript, runtime } from "./helpers.ts";

test("streamArrow: a DESCRIBE the shim cannot use leaves the connection usable and closable", () => {
  const conn = connect();
  const open = native().fn.chffi_open_connections();
  conn.query("SET describe_include_subcolumns = 1");
  const rows = [...conn.streamArrow("SELECT tuple(number, 'a') AS t, number FROM numbers(3)")].reduce((n, b) => n + b.numRows, 0);
  assert.equal(rows, 3);
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
  const other = connect();
  other.close();
  conn.close();
  assert.equal(native().fn.chffi_open_connections(), open - 1, "close() freed the connection");
});

test("streamArrow: SQL that breaks out of the DESCRIBE runs nothing of its own", () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS smuggled (x UInt8) ENGINE = Memory");
  conn.query("TRUNCATE TABLE smuggled");
  for (const sql of ["SELECT 1) ; INSERT INTO smuggled VALUES (7) ; SELECT (1", "SELECT 1)\n; INSERT INTO smuggled SELECT 8; SELECT (1 -- "]) {
    assert.throws(() => [...conn.streamArrow(sql)], ChdbQueryError);
    assert.throws(() => conn.queryArrow(sql), ChdbQueryError);
    assert.equal(conn.query("SELECT count() FROM smuggled", "TSV").text(), "0\n", sql);
  }
  // An empty result is described too: the same refusal there.
  assert.throws(() => conn.queryArrow("SELECT 1 WHERE 0) ; INSERT INTO smuggled VALUES (9) ; SELECT (1"), ChdbQueryError);
  assert.equal(conn.query("SELECT count() FROM smuggled", "TSV").text(), "0\n");
  assert.equal(conn.queryArrow("SELECT 1 AS a WHERE 0").numRows, 0);
  conn.query("DROP TABLE smuggled");
});

test("a failed stream open leaves the connection free for the next query", () => {
  using conn = connect();
  assert.throws(() => conn.streamArrow("SELECT * FROM no_such_table_here").next(), ChdbQueryError);
  assert.throws(() => conn.stream("SELECT * FROM no_such_table_here").next(), ChdbQueryError);
  assert.throws(() => conn.insertStream("INSERT INTO no_such_table_here"), ChdbQueryError);
  assert.equal(conn.query("SELECT 2", "TSV").text(), "2\n");
});

test("one status-to-error function: BUSY is ChdbBusyError, misuse an argument error, all ChdbErrors", () => {
  assert.ok(statusError(Status.BUSY, "") instanceof ChdbBusyError);
  assert.ok(statusError(Status.MISUSE, "bad") instanceof ChdbArgumentError);
  assert.ok(statusError(Status.SHUT_DOWN, "") instanceof ChdbClosedError);
  const engine = statusError(Status.ENGINE_ERROR, "Code: 62. DB::Exception: Syntax error. (SYNTAX_ERROR)");
  assert.ok(engine instanceof ChdbQueryError);
  assert.equal(engine.code, 62);
  for (let s = 1; s <= 11; s++) {
    const e = statusError(s, "");
    assert.ok(e instanceof ChdbError);
    assert.notEqual(e.message, "");
  }
  // The shim's own BUSY for a query under an open Arrow stream reaches JS as ChdbBusyError.
  using conn = connect();
  const stream = conn.streamArrow("SELECT number FROM numbers(100000) SETTINGS max_block_size = 1000");
  stream.next();
  assert.throws(() => conn.query("SELECT 1"), ChdbBusyError);
  stream.close();
  assert.equal(conn.query("SELECT 1", "TSV").text(), "1\n");
});

test(`dropped streams, insert streams and connections are freed by garbage collection (${runtime})`, () => {
  const r = runScript(fixture("dropped_streams.ts"), [], { exposeGc: true });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(
    r.stdout.toString(),
    "query stream true\narrow stream true\ninsert stream true\nrows not committed true\nstream read async true\n" +
      "connection freed true\nother path true\n",
  );
});

test("a free the shim refuses is kept, reported and retried, never dropped", async () => {
  // A real native set whose free is refused once (as chffi_close refuses with CHFFI_BUSY).
  const lib = native();
  const out = new BigUint64Array(1);
  assert.equal(lib.fn.chffi_hashset_new(0, out), Status.OK);
  let refusals = 1;
  let frees = 0;
  const owner = {};
  const handle = new NativeHandle(owner, lib.pointer(out[0]), (p) => {
    if (refusals-- > 0) return Status.BUSY;
    frees++;
    lib.fn.chffi_hashset_free(p);
    return Status.OK;
  }, { what: "the test set" });
  const freed = handle.whenFreed();
  assert.throws(() => handle.close(), ChdbBusyError);
  await assert.rejects(freed, ChdbBusyError);
  assert.equal(handle.freed, false);
  assert.equal(frees, 0);
  // The next free of any handle retries it.
  using set = new StringHashSet();
  set.close();
  assert.equal(handle.freed, true);
  assert.equal(frees, 1);
  handle.close();
  assert.equal(frees, 1, "freed exactly once");
});

test(`Arrow results and registered data are freed by the one owner: close, garbage collection, exit (${runtime})`, () => {
  const r = runScript(fixture("arrow_owner.ts"), [], { exposeGc: true });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), "close frees true\ngc quarantines true\ndropped registered data freed true\nexit frees true\n");
});

test("a free run by close() is told so, once (the GC and exit cases: the test above)", () => {
  const lib = native();
  const out = new BigUint64Array(1);
  assert.equal(lib.fn.chffi_hashset_new(0, out), Status.OK);
  const by: string[] = [];
  const handle = new NativeHandle({}, lib.pointer(out[0]), (p, freedBy) => {
    by.push(freedBy);
    lib.fn.chffi_hashset_free(p);
  }, { what: "the test set" });
  handle.close();
  handle.close();
  assert.deepEqual(by, ["close"]);
});
