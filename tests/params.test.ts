import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbQueryError, connect, query, type QueryParams } from "../mod.ts";
import { fixture, runScript } from "./helpers.ts";

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

test("params: integers out of their placeholder's range are argument errors, not wraparounds", () => {
  using conn = connect();
  const cases: [string, QueryParams][] = [
    ["SELECT {v:UInt8}", { v: 300 }],
    ["SELECT {v:UInt8}", { v: "300" }],
    ["SELECT {v:UInt8}", { v: -1 }],
    ["SELECT {v:UInt64}", { v: 2n ** 64n }],
    ["SELECT {v:UInt64}", { v: -1n }],
    ["SELECT {v:Int8}", { v: 128 }],
    ["SELECT {v:Nullable(UInt16)}", { v: 65536 }],
    ["SELECT {v:Array(UInt8)}", { v: [1, 256] }],
    ["SELECT {v:Array(Array(Int32))}", { v: [[1], [2 ** 31]] }],
    ["SELECT {v: UInt32 }", { v: 2 ** 32 }],
  ];
  for (const [sql, params] of cases) {
    assert.throws(() => conn.query(sql, "CSV", { params }), ChdbArgumentError, `${sql} ${String(Object.values(params)[0])}`);
  }
  assert.equal(conn.query("SELECT {v:UInt8}, {w:UInt64}, {x:Int8}", "CSV", { params: { v: 255, w: 2n ** 64n - 1n, x: -128 } }).text(), "255,18446744073709551615,-128\n");
  // An INSERT that would have stored 2^64 + 4096 as 4096: refused.
  conn.query("CREATE TABLE IF NOT EXISTS params_amounts (a UInt64) ENGINE = Memory");
  assert.throws(() => conn.query("INSERT INTO params_amounts VALUES ({a:UInt64})", "CSV", { params: { a: 2n ** 64n + 4096n } }), ChdbArgumentError);
});

test("params: a Date bound to DateTime is the same instant whatever the process timezone", () => {
  for (const tz of ["UTC", "Asia/Tokyo", "America/Los_Angeles"]) {
    const r = runScript(fixture("date_param.ts"), [], { env: { TZ: tz } });
    assert.equal(r.status, 0, r.stderr.toString());
    const [seconds, millis] = r.stdout.toString().trim().split("\t");
    assert.equal(seconds, String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000), tz);
    assert.equal(millis, String(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), tz);
  }
});

test("params: lone surrogates in SQL or parameters are argument errors", () => {
  using conn = connect();
  assert.throws(() => conn.query("SELECT '\uD800'"), ChdbArgumentError);
  assert.throws(() => conn.query("SELECT {s:String}", "CSV", { params: { s: "a\uDC00b" } }), ChdbArgumentError);
  assert.throws(() => conn.query("SELECT {s:Array(String)}", "CSV", { params: { s: ["ok", "\uD83D"] } }), ChdbArgumentError);
  assert.throws(() => conn.query("SELECT {m:Map(String, String)}", "CSV", { params: { m: { "\uDFFF": "v" } } }), ChdbArgumentError);
  assert.equal(conn.query("SELECT {s:String}", "CSV", { params: { s: "😀" } }).text(), '"😀"\n');
});
