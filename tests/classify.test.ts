// Statements are classified before they run: the Arrow APIs refuse writes up front (issue 13).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbQueryError, connect, query, sql } from "../mod.ts";

const writes = [
  "INSERT INTO cls_t VALUES (1)",
  "CREATE TABLE cls_other (a UInt8) ENGINE = Memory",
  "DROP TABLE cls_t",
  "TRUNCATE TABLE cls_t",
  "SELECT 1; INSERT INTO cls_t VALUES (2)",
  "SET max_threads = 1",
];

test("classify: queryArrow, queryArrowAsync, query(ArrowTable) and sql`` refuse writes and write nothing", async () => {
  using conn = connect();
  conn.query("CREATE TABLE cls_t (a UInt8) ENGINE = Memory");
  try {
    for (const text of writes) {
      assert.throws(
        () => conn.queryArrow(text),
        (e: unknown) => e instanceof ChdbArgumentError && /was not run/.test(e.message),
        text,
      );
      assert.throws(() => conn.query(text, "ArrowTable"), ChdbArgumentError, text);
      await assert.rejects(conn.queryArrowAsync(text), ChdbArgumentError, text);
    }
    assert.throws(() => conn.sql`INSERT INTO cls_t VALUES (${3})`, ChdbArgumentError);
    assert.throws(() => sql`INSERT INTO cls_t VALUES (${4})`, ChdbArgumentError);
    // Nothing was written, nothing was created or dropped: a retry cannot write twice.
    assert.equal(conn.query("SELECT count() FROM cls_t").text(), "0\n");
    assert.equal(conn.query("EXISTS TABLE cls_other").text(), "0\n");
    // The same statements run through query(), with their write statistics.
    const inserted = conn.query("INSERT INTO cls_t VALUES (1), (2)");
    assert.equal(inserted.rowsWritten, 2);
  } finally {
    query("DROP TABLE IF EXISTS cls_t");
  }
});

test("classify: read-only statements still run through the Arrow APIs; syntax errors keep their code", async () => {
  using conn = connect();
  for (
    const text of [
      "SELECT 1 AS a",
      "SHOW DATABASES",
      "DESCRIBE TABLE system.one",
      "EXISTS TABLE system.one",
      "SELECT 1; SELECT 2",
    ]
  ) {
    using table = conn.queryArrow(text);
    assert.ok(table.numRows >= 1, text);
    using again = conn.queryArrow(text); // remembered as read-only: same answer
    assert.equal(again.numRows, table.numRows);
  }
  using viaAsync = await conn.queryArrowAsync("SELECT 2 AS b");
  assert.equal(viaAsync.getChild("b")?.get(0), 2);
  assert.throws(() => conn.queryArrow("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
});
