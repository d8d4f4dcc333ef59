// The seed's examples against the installed npm package, one file for Node, Bun and Deno
// (scripts/smoke_npm.mjs copies it into a fresh project; Deno also runs it with `npm:chdb-ffi`).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDefaultConnection, col, filter, query, queryAsync, Session, StringHashSet } from "chdb-ffi";

const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-smoke-"));
try {
  // query, sync and off the JS thread
  assert.equal(query("SELECT 1, 'abc'").text(), '1,"abc"\n');
  assert.equal((await queryAsync("SELECT sum(number) FROM numbers(1000)")).text(), "499500\n");
  assert.deepEqual(query("SELECT {x:UInt8} + 1 AS y", "JSONEachRow", { params: { x: 41 } }).text(), '{"y":42}\n');

  // files: written and read by the engine
  const parquet = join(dir, "data.parquet");
  query(
    `INSERT INTO FUNCTION file({path:String}, Parquet, 'id UInt32, name String')
     SELECT number, concat('user_', toString(number)) FROM numbers(100)`,
    "CSV",
    { params: { path: parquet } },
  );
  assert.equal(
    query(`SELECT count(), max(id), any(name) LIKE 'user_%' FROM file('${parquet}', Parquet)`).text(),
    "100,99,1\n",
  );

  // a stateful in-memory session
  const sess = new Session();
  try {
    sess.query("CREATE DATABASE IF NOT EXISTS db_xxx ENGINE = Atomic");
    sess.query("CREATE TABLE db_xxx.log_table_xxx (x String, y Int32) ENGINE = Log");
    sess.query("INSERT INTO db_xxx.log_table_xxx VALUES ('a', 1), ('b', 3), ('c', 2), ('d', 5)");
    sess.query("CREATE VIEW db_xxx.view_xxx AS SELECT * FROM db_xxx.log_table_xxx LIMIT 4");
    assert.equal(sess.query("SELECT sum(y) FROM db_xxx.view_xxx").text(), "11\n");
  } finally {
    sess.close();
  }

  // an Arrow table
  const table = query("SELECT number AS n, toString(number % 3) AS s FROM numbers(6)", "ArrowTable");
  assert.equal(table.numRows, 6);
  assert.deepEqual([...table.getChild("n")], [0n, 1n, 2n, 3n, 4n, 5n]);

  // hash set dedup: only values never seen before pass, and the set learns them
  const seen = StringHashSet.fromValues(["1"]);
  const fresh = filter(table, col("s").hashfilter.notInAndUpdate(seen));
  assert.deepEqual([...fresh.getChild("s")], ["0", "2", "0", "2"]);
  assert.equal(seen.size, 3);
  seen.close();
  table.close();

  // a session on a data directory (one data path per process: close the in-memory one first)
  closeDefaultConnection();
  const persistent = new Session(join(dir, "db"));
  try {
    persistent.query("CREATE TABLE events (at DateTime, kind String) ENGINE = MergeTree ORDER BY at");
    persistent.query("INSERT INTO events VALUES (now(), 'start'), (now(), 'stop')");
    assert.equal(persistent.query("SELECT count() FROM events").text(), "2\n");
  } finally {
    persistent.close();
  }
  console.log("examples ok");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
