// int64: "bigint" | "number" | "string" for rows and Arrow tables (issue 13: a server's JSON).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbError, connect } from "../mod.ts";

const SQL =
  "SELECT count() AS n, toInt64(-5) AS i, [toUInt64(1), 2] AS arr, CAST(NULL, 'Nullable(Int64)') AS none, 'x' AS s FROM numbers(3)";

test("int64: bigint by default; rows with bigint cannot be JSON.stringified", () => {
  using conn = connect();
  const row = conn.prepare(SQL).get()!;
  assert.equal(row.n, 3n);
  assert.throws(() => JSON.stringify(row), TypeError);
});

test("int64: number and string modes give JSON-safe rows (statement, cursor, iterate)", async () => {
  using asNumber = connect(":memory:", { int64: "number" });
  assert.equal(asNumber.int64, "number");
  const row = asNumber.prepare(SQL).get()!;
  assert.deepEqual(row, { n: 3, i: -5, arr: [1, 2], none: null, s: "x" });
  assert.equal(JSON.stringify(asNumber.prepare(SQL).all()), '[{"n":3,"i":-5,"arr":[1,2],"none":null,"s":"x"}]');
  assert.deepEqual(await asNumber.prepare(SQL).valuesAsync(), [[3, -5, [1, 2], null, "x"]]);
  assert.deepEqual([...asNumber.prepare(SQL).iterate()], [{ n: 3, i: -5, arr: [1, 2], none: null, s: "x" }]);
  const cur = asNumber.cursor();
  cur.execute("SELECT toUInt64(7), toInt128(-8)");
  assert.deepEqual(cur.fetchall(), [[7, -8]]);

  using asString = connect(":memory:", { int64: "string" });
  assert.deepEqual(asString.prepare(SQL).get(), { n: "3", i: "-5", arr: ["1", "2"], none: null, s: "x" });
  // per statement, over the connection's mode
  assert.deepEqual(asString.prepare("SELECT toUInt64(9) AS v", { int64: "bigint" }).get(), { v: 9n });
  assert.deepEqual(asString.prepare("SELECT toUInt64(9) AS v", { int64: "number" }).get(), { v: 9 });
});

test("int64: number refuses values beyond 2^53 instead of rounding; string keeps them exact", () => {
  using conn = connect(":memory:", { int64: "number" });
  const big = "SELECT toUInt64(9007199254740993) AS v";
  assert.throws(
    () => conn.prepare(big).all(),
    (e: unknown) => e instanceof ChdbError && /9007199254740993 is beyond 2\^53/.test(e.message),
  );
  assert.deepEqual(conn.prepare("SELECT toInt64(9007199254740991) AS v").get(), { v: 9007199254740991 });
  assert.throws(() => conn.queryArrow(big), (e: unknown) => e instanceof ChdbError && /beyond 2\^53/.test(e.message));
  assert.deepEqual(conn.prepare(big, { int64: "string" }).get(), { v: "9007199254740993" });
});

test("int64: Arrow tables become JSON-safe: Int64 columns as Float64 or Utf8", async () => {
  using conn = connect();
  const arrowSql =
    "SELECT number AS n, toInt64(number) - 1 AS i, toString(number) AS s, toUInt32(number) AS u FROM numbers(3)";
  using plain = conn.queryArrow(arrowSql);
  assert.throws(() => JSON.stringify(plain.toArray()), TypeError);
  using asNumber = conn.queryArrow(arrowSql, { int64: "number" });
  assert.equal(
    JSON.stringify(asNumber.toArray()),
    '[{"n":0,"i":-1,"s":"0","u":0},{"n":1,"i":0,"s":"1","u":1},{"n":2,"i":1,"s":"2","u":2}]',
  );
  using asString = await conn.queryArrowAsync(arrowSql, { int64: "string" });
  assert.equal(asString.getChild("n")?.get(2), "2");
  assert.equal(String(asString.schema.fields[0].type), "Utf8");
  assert.throws(() => connect(":memory:", { int64: "float" as never }), ChdbArgumentError);
  assert.throws(() => conn.prepare("SELECT 1", { int64: 64 as never }), ChdbArgumentError);
});
