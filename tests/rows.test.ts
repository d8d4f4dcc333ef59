import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbError, query } from "../mod.ts";
import { decodeRows } from "../src/rows/decode_rows.ts";
import { ROWS_FORMAT } from "../src/rows/row_set.ts";

test("rows: strings of every shape (empty, long, non-ASCII, NUL) decode exactly", () => {
  const values = ["", "a", "x".repeat(200), "héllo", "日本語テキスト".repeat(30), "nul\0byte", "tab\tnew\nline"];
  const bytes = query("SELECT arrayJoin({v:Array(String)}) AS s", ROWS_FORMAT, { params: { v: values } }).bytes();
  const set = decodeRows(bytes);
  assert.deepEqual(set.columns, [{ name: "s", type: "String" }]);
  assert.deepEqual(set.rows.map(([s]) => s), values);
});

test("rows: scalars inline and through decoders agree", () => {
  const sql = `SELECT toUInt16(65535) a, toInt16(-2) b, toFloat32(0.25) c, [toInt64(-1)] d, toNullable(toUInt64(5)) e,
    toDateTime('2001-02-03 04:05:06', 'UTC') f, toUInt32(4000000000) g FROM numbers(2)`;
  const { rows } = decodeRows(query(sql, ROWS_FORMAT).bytes());
  const row = [65535, -2, 0.25, [-1n], 5n, new Date("2001-02-03T04:05:06Z"), 4000000000];
  assert.deepEqual(rows, [row, row]);
});

test("rows: truncated data is a ChdbError, not garbage", () => {
  const bytes = query("SELECT number, toString(number) FROM numbers(3)", ROWS_FORMAT).bytes();
  assert.throws(() => decodeRows(bytes.subarray(0, bytes.length - 1)), ChdbError);
  assert.deepEqual(decodeRows(new Uint8Array(0)), { columns: [], rows: [] });
});

test("rows: geo types become nested arrays of [x, y]", () => {
  const sql = "SELECT (1.5, 2)::Point p, [(0, 0), (1, 0), (0, 1)]::Ring r, [[(0, 0), (1, 1)]]::Polygon g";
  const { rows } = decodeRows(query(sql, ROWS_FORMAT).bytes());
  assert.deepEqual(rows, [[[1.5, 2], [[0, 0], [1, 0], [0, 1]], [[[0, 0], [1, 1]]]]]);
});

test("rows: ASCII and non-ASCII strings across several blocks of the two-pass loop", () => {
  // ~2.5 MB of rows: more than one block, with non-ASCII values scattered among ASCII ones.
  const sql = `SELECT toUInt32(number) n, if(number % 7 = 0, concat('é', repeat('x', 600), toString(number)),
    concat(repeat('y', 600), toString(number))) s, toDate('2000-01-01') + number d FROM numbers(4000)`;
  const { rows } = decodeRows(query(sql, ROWS_FORMAT).bytes());
  assert.equal(rows.length, 4000);
  rows.forEach(([n, s, d], i) => {
    assert.equal(n, i);
    assert.equal(s, i % 7 === 0 ? `é${"x".repeat(600)}${i}` : `${"y".repeat(600)}${i}`);
    assert.deepEqual(d, new Date(Date.UTC(2000, 0, 1 + i)));
  });
});

test("rows: inline integers, floats and dates at their extremes", () => {
  const sql = `SELECT toInt8(-128) a, toInt8(127) b, toInt16(-32768) c, toUInt16(65535) d, toInt32(-2147483648) e,
    toUInt32(4294967295) f, toInt64(-9223372036854775808) g, toUInt64(18446744073709551615) h, toFloat32(-1.5) i,
    toFloat64(-2.5e300) j, toDate32('1900-01-01') k, toDateTime('2106-02-07 06:28:15', 'UTC') l, true m`;
  const { rows } = decodeRows(query(sql, ROWS_FORMAT).bytes());
  assert.deepEqual(rows, [[
    -128, 127, -32768, 65535, -2147483648, 4294967295, -9223372036854775808n, 18446744073709551615n, -1.5, -2.5e300,
    new Date("1900-01-01T00:00:00Z"), new Date("2106-02-07T06:28:15Z"), true,
  ]]);
});
