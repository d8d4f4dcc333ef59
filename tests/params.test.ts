import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbQueryError, connect, query } from "../mod.ts";

const row = (sql: string, params: Record<string, unknown>) =>
  query(sql, "JSONEachRow", { params: params as never }).json<Record<string, unknown>[]>()[0];

test("params: strings, numbers, bigint, booleans are bound by type", () => {
  assert.deepEqual(
    row("SELECT {s:String} AS s, {i:Int32} AS i, {f:Float64} AS f, {b:Bool} AS b, {u:UInt8} AS u", {
      s: "hello",
      i: -42,
      f: 1.5,
      b: true,
      u: false,
    }),
    { s: "hello", i: -42, f: 1.5, b: true, u: 0 },
  );
  const big = query("SELECT {x:UInt64} + 0 AS x", "TSV", { params: { x: 18446744073709551615n } }).text();
  assert.equal(big, "18446744073709551615\n");
  assert.equal(query("SELECT isNaN({f:Float64}), {g:Float64}", "TSV", { params: { f: NaN, g: -Infinity } }).text(), "1\t-inf\n");
});

test("params: strings with quotes, backslashes, tabs, newlines and NUL round-trip exactly", () => {
  const s = "it's a \"test\"\\ with\ttab\nnewline\r and \0 NUL and ünïcödé 🎉";
  const r = row("SELECT {s:String} AS s, length({s:String}) AS n", { s });
  assert.equal(r.s, s);
  assert.equal(r.n, new TextEncoder().encode(s).length);
});

test("params: a hostile string cannot change the query", () => {
  using conn = connect();
  conn.query("CREATE TABLE victims (x Int32) ENGINE = Memory; INSERT INTO victims VALUES (1)");
  const hostile = "x'; DROP TABLE victims; SELECT '";
  const r = conn.query("SELECT {v:String} AS v FROM victims", "JSONEachRow", { params: { v: hostile } }).json();
  assert.deepEqual(r, [{ v: hostile }]);
  assert.equal(conn.query("SELECT count() FROM victims").text(), "1\n");
  // not even as an identifier-shaped value
  assert.throws(() => conn.query("SELECT * FROM victims WHERE x = {v:Int32}", "CSV", { params: { v: "1 OR 1=1" } }), {
    code: 457,
  });
  conn.query("DROP TABLE victims");
});

test("params: null, Date, arrays, maps, nested values", () => {
  assert.deepEqual(row("SELECT {n:Nullable(Int32)} AS n", { n: null }), { n: null });
  const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  assert.deepEqual(row("SELECT {t:DateTime64(3, 'UTC')} AS t, {d:DateTime('UTC')} AS d", {
    t: at,
    d: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
  }), { t: "2024-01-02 03:04:05.678", d: "2024-01-02 03:04:05" });
  assert.deepEqual(row("SELECT {a:Array(String)} AS a", { a: ["x", "it's", "back\\slash"] }), {
    a: ["x", "it's", "back\\slash"],
  });
  assert.deepEqual(row("SELECT {a:Array(Array(Nullable(Int64)))} AS a", { a: [[1, null], [2n]] }), {
    a: [[1, null], [2]],
  });
  assert.deepEqual(row("SELECT {m:Map(String, Int32)} AS m", { m: { a: 1, b: 2 } }), { m: { a: 1, b: 2 } });
  assert.deepEqual(row("SELECT {m:Map(String, Bool)} AS m", { m: new Map([["k", true]]) }), { m: { k: true } });
});

test("params: engine errors for a missing or unparsable value", () => {
  assert.throws(() => query("SELECT {x:Int32}"), (e: unknown) => e instanceof ChdbQueryError && e.code === 456);
  assert.throws(() => query("SELECT {x:Int32}", "CSV", { params: { x: "abc" } }), { code: 457 });
});

test("params: unsupported values and bad names are ChdbArgumentError", () => {
  const bad = [() => 1, Symbol("s"), new Uint8Array(2), new Date(NaN), [() => 1]];
  for (const value of bad) {
    assert.throws(() => query("SELECT {x:String}", "CSV", { params: { x: value as never } }), ChdbArgumentError);
  }
  assert.throws(() => query("SELECT 1", "CSV", { params: { "bad name": 1 } }), ChdbArgumentError);
});
