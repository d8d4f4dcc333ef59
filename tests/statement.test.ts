import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbClosedError, ChdbNotImplementedError, ChdbQueryError, connect } from "../mod.ts";

test("prepare: all/get/values/run/iterate with named parameters", () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS st_people (id UInt32, name String, born Date) ENGINE = Memory");
  conn.query("TRUNCATE TABLE st_people");
  const insert = conn.prepare("INSERT INTO st_people VALUES ({id:UInt32}, {name:String}, {born:Date})");
  assert.deepEqual(insert.run({ id: 1, name: "ann", born: "1990-05-01" }), { changes: 1 });
  insert.run({ id: 2, name: "bob", born: "1985-12-31" });
  const select = conn.prepare("SELECT id, name, born FROM st_people WHERE id >= {min:UInt32} ORDER BY id");
  assert.deepEqual(select.all({ min: 1 }), [
    { id: 1, name: "ann", born: new Date("1990-05-01T00:00:00Z") },
    { id: 2, name: "bob", born: new Date("1985-12-31T00:00:00Z") },
  ]);
  assert.deepEqual(select.get({ min: 2 }), { id: 2, name: "bob", born: new Date("1985-12-31T00:00:00Z") });
  assert.equal(select.get({ min: 3 }), null);
  assert.deepEqual(select.values({ min: 2 }), [[2, "bob", new Date("1985-12-31T00:00:00Z")]]);
  assert.deepEqual([...select.iterate({ min: 1 })].map((r) => r.name), ["ann", "bob"]);
  assert.deepEqual(select.columnNames, ["id", "name", "born"]);
  assert.deepEqual(select.declaredTypes, ["UInt32", "String", "Date"]);
  conn.query("DROP TABLE st_people");
});

test("prepare: iterate() streams block by block and leaving the loop frees the connection", async () => {
  using conn = connect();
  const stmt = conn.prepare("SELECT number AS n, toString(number) AS s FROM numbers({count:UInt32})");
  let count = 0;
  let sum = 0n;
  for (const row of stmt.iterate({ count: 300000 })) {
    count++;
    sum += row.n as bigint;
  }
  assert.equal(count, 300000);
  assert.equal(sum, 299999n * 300000n / 2n);
  for (const row of stmt.iterate({ count: 1000000000 })) {
    assert.deepEqual(row, { n: 0n, s: "0" });
    break;
  }
  const seen: unknown[] = [];
  for await (const row of stmt.iterateAsync({ count: 3 })) seen.push(row.s);
  assert.deepEqual(seen, ["0", "1", "2"]);
  assert.equal(conn.query("SELECT 1").text(), "1\n");
});

test("prepare: async forms", async () => {
  using conn = connect();
  const stmt = conn.prepare("SELECT number AS n FROM numbers({count:UInt8})");
  assert.deepEqual(await stmt.allAsync({ count: 2 }), [{ n: 0n }, { n: 1n }]);
  assert.deepEqual(await stmt.valuesAsync({ count: 1 }), [[0n]]);
  assert.deepEqual(await stmt.getAsync({ count: 3 }), { n: 0n });
  assert.deepEqual(await stmt.runAsync({ count: 3 }), { changes: 0 });
});

test("prepare: values come back as JS values of their ClickHouse types", () => {
  using conn = connect();
  const [row] = conn.prepare(`SELECT
      toUInt8(1) u8, toInt32(-2) i32, toUInt64('18446744073709551615') u64, toInt64(-3) i64, toInt128(-4) i128,
      toFloat32(1.5) f32, 2.25 f64, true b, 'héllo' s, toFixedString('ab', 3) fs, NULL n, toNullable(7) nn,
      toDate('2024-02-29') d, toDate32('1900-01-01') d32, toDateTime('2024-01-02 03:04:05', 'UTC') dt,
      toDateTime64('2024-01-02 03:04:05.678', 3, 'Asia/Tokyo') dt64, toDecimal64(-12.345, 3) dec,
      [1, 2] arr, [[NULL, 'x']] nested, (1, 'a') tup, CAST((1, 'a'), 'Tuple(k UInt8, v String)') named,
      map('a', 1, 'b', 2) m, toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') uuid, toIPv4('10.0.0.1') ip4,
      toIPv6('2001:db8::1') ip6, CAST('b', 'Enum8(\\'a\\' = 1, \\'b\\' = 2)') e, toLowCardinality('lc') lc`).all();
  assert.deepEqual(row, {
    u8: 1, i32: -2, u64: 18446744073709551615n, i64: -3n, i128: -4n, f32: 1.5, f64: 2.25, b: true, s: "héllo", fs: "ab",
    n: null, nn: 7, d: new Date("2024-02-29T00:00:00Z"), d32: new Date("1900-01-01T00:00:00Z"),
    dt: new Date("2024-01-02T03:04:05Z"), dt64: new Date("2024-01-01T18:04:05.678Z"), dec: "-12.345",
    arr: [1, 2], nested: [[null, "x"]], tup: [1, "a"], named: { k: 1, v: "a" }, m: { a: 1, b: 2 },
    uuid: "61f0c404-5cb3-11e7-907b-a6006ad3dba0", ip4: "10.0.0.1", ip6: "2001:db8::1", e: "b", lc: "lc",
  });
});

test("prepare: a type without a JS mapping gives a clear error", () => {
  using conn = connect();
  assert.throws(
    () => conn.prepare("SELECT CAST('{\"a\":1}' AS JSON) AS j").all(),
    (e: unknown) => e instanceof ChdbNotImplementedError && /type JSON.*CAST/.test((e as Error).message),
  );
});

test("prepare: a hostile string parameter is data, never SQL", () => {
  using conn = connect();
  conn.query("CREATE TABLE IF NOT EXISTS st_secret (v String) ENGINE = Memory");
  conn.query("TRUNCATE TABLE st_secret");
  conn.query("INSERT INTO st_secret VALUES ('keep')");
  const hostile = "x' OR 1=1; DROP TABLE st_secret; --\\' \t\n\0{v:String}";
  const stmt = conn.prepare("SELECT count() AS c, {v:String} AS echo FROM st_secret WHERE v = {v:String}");
  assert.deepEqual(stmt.get({ v: hostile }), { c: 0n, echo: hostile });
  conn.prepare("INSERT INTO st_secret VALUES ({v:String})").run({ v: hostile });
  assert.deepEqual(conn.prepare("SELECT v FROM st_secret ORDER BY v = 'keep'").values(), [[hostile], ["keep"]]);
  conn.query("DROP TABLE st_secret");
});

test("prepare: errors and finalize", () => {
  using conn = connect();
  const bad = conn.prepare("SELECT {x:UInt8}");
  assert.throws(() => bad.all({ x: "not a number" }), ChdbQueryError);
  assert.throws(() => bad.all(), ChdbQueryError); // missing parameter
  bad.finalize();
  assert.throws(() => bad.all({ x: 1 }), ChdbClosedError);
  conn.close();
  assert.throws(() => conn.prepare("SELECT 1"), ChdbClosedError);
});

test("params: concurrent parameterised queries on different connections keep their own values", async () => {
  const conns = Array.from({ length: 4 }, () => connect());
  try {
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) =>
      conns[i % 4].queryAsync(
        "SELECT {v:String}, count() FROM numbers(20000) WHERE number % {m:UInt32} = 0",
        "TSV",
        { params: { v: `value-${i}`, m: i + 1 } },
      )
    ));
    results.forEach((r, i) => assert.equal(r.text(), `value-${i}\t${Math.ceil(20000 / (i + 1))}\n`));
    // A query without parameters never sees another connection's.
    const unbound = Array.from({ length: 20 }, (_, i) =>
      conns[i % 2 ? 1 : 3].queryAsync("SELECT {v:String}").then(() => "bound", () => "error")
    );
    const bound = Array.from({ length: 20 }, () => conns[0].queryAsync("SELECT {v:String}", "TSV", { params: { v: "a" } }));
    assert.deepEqual(await Promise.all(unbound), Array(20).fill("error"));
    await Promise.all(bound);
  } finally {
    conns.forEach((c) => c.close());
  }
});
