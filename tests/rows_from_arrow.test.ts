// Cursors read plain-typed results off the Arrow buffers the shim builds (rows_from_arrow.ts);
// the values must be exactly those of the RowBinary decoder (decode_rows.ts), which reads the rest.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { dbapi, type QueryParams } from "../mod.ts";
import { rowSourceOf } from "../src/connection/connection.ts";
import { decodeRows } from "../src/rows/decode_rows.ts";
import { ROWS_FORMAT } from "../src/rows/row_set.ts";
import { plainTypeColumns } from "./helpers.ts";

const conn = dbapi.connect();
after(() => conn.close());

/** The rows a cursor gives for sql, checked equal to decodeRows() over RowBinary; whether Arrow carried them. */
function assertSameRows(sql: string, params?: QueryParams): { rows: unknown[][]; viaArrow: boolean } {
  const expected = decodeRows(conn.query(sql, ROWS_FORMAT, { params }).bytes());
  const probe = rowSourceOf(conn).rows(sql, params);
  probe.table?.close();
  using cursor = conn.cursor();
  const rows = cursor.execute(sql, params).fetchall();
  assert.deepEqual(rows, expected.rows, sql);
  // The engine's Native format names DateTime('tz') plain DateTime (the instants are the same).
  const withoutZone = (type: string) => type.replace(/DateTime\('[^']*'\)/g, "DateTime");
  assert.deepEqual(
    cursor.description?.map(([name, type]) => [name, withoutZone(type)]),
    expected.columns.map((c) => [c.name, withoutZone(c.type)]),
    sql,
  );
  return { rows, viaArrow: probe.table !== null };
}

describe("cursor rows read off Arrow", () => {
  test("every plain type, with and without nulls, over several batches", () => {
    for (const nullable of [false, true]) {
      const sql = `SELECT ${plainTypeColumns(nullable)} FROM numbers(300) SETTINGS max_block_size = 64`;
      const { rows, viaArrow } = assertSameRows(sql);
      assert.equal(rows.length, 300);
      assert.ok(viaArrow, "plain types come through Arrow");
    }
  });

  test("strings: non-ASCII, invalid UTF-8 and NUL bytes decode as decodeRows() does", () => {
    const values = ["", "a", "x".repeat(200), "héllo", "日本語".repeat(30), "nul\0byte", "tab\tnew\nline"];
    assertSameRows("SELECT arrayJoin({v:Array(String)}) AS s", { v: values });
    assertSameRows("SELECT unhex(hex(number * 2654435761)) AS raw, char(200 + number % 50) AS lone FROM numbers(500)");
  });

  test("other types, empty results and statements fall back to RowBinary", () => {
    const other = assertSameRows("SELECT number, [number] AS a, toLowCardinality('x') AS lc, toUUID('00000000-0000-0000-0000-000000000001') AS u FROM numbers(3)");
    assert.equal(other.viaArrow, false);
    assertSameRows("SELECT toDateTime(number, 'Asia/Tokyo') AS t, [number] AS a FROM numbers(3)");
    assert.equal(assertSameRows("SELECT number AS n FROM numbers(10) WHERE n > 100").rows.length, 0);
    assertSameRows("SELECT [1] AS a WHERE 0");
    using cursor = conn.cursor();
    cursor.execute("CREATE TABLE rows_arrow_t (x UInt8) ENGINE = Memory");
    assert.equal(cursor.description, null);
    cursor.execute("INSERT INTO rows_arrow_t SELECT number FROM numbers(4)");
    assert.equal(cursor.rowcount, 4);
    assert.deepEqual(cursor.execute("SELECT x FROM rows_arrow_t ORDER BY x").fetchall(), [[0], [1], [2], [3]]);
    conn.query("DROP TABLE rows_arrow_t");
  });
});
