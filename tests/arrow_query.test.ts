// Arrow results: zero-copy tables from the engine, the type mapping, and their lifetime.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Table } from "apache-arrow";
import { ArrowTable, ChdbError, ChdbQueryError, connect, query, queryAsync } from "../mod.ts";
import { fixture, runScript, runtime } from "./helpers.ts";

const conn = connect();
after(() => conn.close());

describe("queryArrow", () => {
  test("returns an apache-arrow Table with the engine's columns", () => {
    using t = conn.queryArrow("SELECT number AS a, toString(number) AS s FROM numbers(5)");
    assert.ok(t instanceof Table);
    assert.equal(t.numRows, 5);
    assert.deepEqual(t.schema.fields.map((f) => f.name), ["a", "s"]);
    assert.deepEqual([...t.getChild("a")!], [0n, 1n, 2n, 3n, 4n]);
    assert.deepEqual([...t.getChild("s")!], ["0", "1", "2", "3", "4"]);
  });

  test("stats: true brings the engine's metrics with the table", () => {
    using t = conn.queryArrow("SELECT number FROM numbers(1000) WHERE number % 2 = 0", { stats: true });
    assert.equal(t.stats?.storageRowsRead, 1000);
    assert.ok((t.stats?.elapsed ?? -1) >= 0);
  });

  test("the default streamed path builds the same table as stats: true, without metrics", () => {
    const sql = "SELECT number AS n, toString(number) AS s FROM numbers(100000) SETTINGS max_block_size = 7000";
    using a = conn.queryArrow(sql, { stats: true });
    using b = conn.queryArrow(sql);
    assert.equal(b.stats, undefined);
    assert.equal(b.numRows, a.numRows);
    assert.ok(b.batches.length > 1);
    assert.deepEqual(b.schema.fields.map((f) => String(f.type)), a.schema.fields.map((f) => String(f.type)));
    assert.equal(b.getChild("s")!.get(99999), "99999");
    let sum = 0n;
    for (const v of b.getChild("n")!) sum += v as bigint;
    assert.equal(sum, 99999n * 100000n / 2n);
    using empty = conn.queryArrow("SELECT 1 AS x WHERE 0");
    assert.equal(empty.numRows, 0);
    assert.deepEqual(empty.schema.fields.map((f) => f.name), ["x"]);
    assert.throws(() => conn.queryArrow("SELECT no_such_column"), ChdbQueryError);
    using bound = conn.queryArrow("SELECT {n:UInt8} AS n", { params: { n: 7 } });
    assert.equal(bound.stats, undefined); // parameters always take the streaming path
    assert.equal(bound.getChild("n")!.get(0), 7);
  });

  test("query(sql, 'ArrowTable') and 'Dataframe' return Tables", () => {
    using a = conn.query("SELECT 1 AS x", "ArrowTable");
    using b = query("SELECT 2 AS x", "Dataframe");
    assert.ok(a instanceof ArrowTable && b instanceof ArrowTable);
    assert.equal(a.getChild("x")!.get(0), 1);
    assert.equal(b.getChild("x")!.get(0), 2);
  });

  test("a result of many batches keeps every row", () => {
    using t = conn.queryArrow("SELECT number AS n FROM numbers(200000) SETTINGS max_block_size = 7000");
    assert.ok(t.batches.length > 1);
    assert.equal(t.numRows, 200000);
    let sum = 0n;
    for (const v of t.getChild("n")!) sum += v as bigint;
    assert.equal(sum, 199999n * 200000n / 2n);
  });

  test("an empty result has the schema and no rows", () => {
    using t = conn.queryArrow("SELECT number AS n, 'x' AS s FROM numbers(10) WHERE n > 100");
    assert.equal(t.numRows, 0);
    assert.deepEqual(t.schema.fields.map((f) => f.name), ["n", "s"]);
  });

  test("bound parameters", () => {
    using t = conn.queryArrow("SELECT {a:UInt32} + 1 AS x, {s:String} AS s", { params: { a: 41, s: "it's" } });
    assert.equal(t.getChild("x")!.get(0), 42n);
    assert.equal(t.getChild("s")!.get(0), "it's");
  });

  test("an engine error is a ChdbQueryError and the connection stays usable", () => {
    assert.throws(() => conn.queryArrow("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
    assert.throws(() => conn.queryArrow("SELECT * FROM numbers(3) WHERE throwIf(number = 2)"), ChdbQueryError);
    using t = conn.queryArrow("SELECT 7 AS x");
    assert.equal(t.getChild("x")!.get(0), 7);
  });

  test("wrong argument types are ChdbErrors", () => {
    assert.throws(() => conn.queryArrow(42 as unknown as string), ChdbError);
    assert.throws(() => conn.queryArrow("SELECT 1", null as never), ChdbError);
  });
});

// Copies a value out of Arrow views (which die with their table) into plain JS.
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (v !== null && typeof v === "object") {
    if (typeof (v as { toJSON?: unknown }).toJSON === "function" && !(Symbol.iterator in v)) {
      return Object.fromEntries(Object.entries((v as { toJSON(): object }).toJSON()).map(([k, x]) => [k, plain(x)]));
    }
    if (Symbol.iterator in v) return [...(v as Iterable<unknown>)].map(plain);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

describe("type mapping", () => {
  const one = (expr: string, options = {}) => {
    const t = conn.queryArrow(`SELECT ${expr} AS v`, options);
    try {
      return {
        type: String(t.schema.fields[0].type),
        nullable: t.schema.fields[0].nullable,
        value: plain(t.getChild("v")!.get(0)),
      };
    } finally {
      t.close();
    }
  };

  test("integers of every width (64-bit as BigInt)", () => {
    assert.deepEqual(one("toInt8(-8)"), { type: "Int8", nullable: false, value: -8 });
    assert.deepEqual(one("toUInt16(16)").value, 16);
    assert.deepEqual(one("toInt32(-32)").value, -32);
    assert.deepEqual(one("toUInt32(4000000000)").value, 4000000000);
    assert.deepEqual(one("toInt64(-9223372036854775808)"), {
      type: "Int64",
      nullable: false,
      value: -9223372036854775808n,
    });
    assert.deepEqual(one("toUInt64(18446744073709551615)").value, 18446744073709551615n);
  });

  test("128/256-bit integers, UUID and IPv6 are fixed-size binary", () => {
    const i128 = one("toInt128(-2)");
    assert.equal(i128.type, "FixedSizeBinary[16]");
    assert.deepEqual(i128.value, [254, ...Array(15).fill(255)]);
    assert.equal(one("toUInt256(1)").type, "FixedSizeBinary[32]");
    const uuid = one("toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0')");
    assert.equal(
      (uuid.value as number[]).map((b) => b.toString(16).padStart(2, "0")).join(""),
      "61f0c4045cb311e7907ba6006ad3dba0",
    );
    assert.deepEqual(one("toIPv6('::1')").value, [...Array(15).fill(0), 1]);
  });

  test("floats, decimals, bool", () => {
    assert.deepEqual(one("toFloat32(1.5)"), { type: "Float32", nullable: false, value: 1.5 });
    assert.equal(one("toFloat64(-2.25)").value, -2.25);
    assert.equal(one("toDecimal64(-3.14, 4)").type, "Decimal[18e+4]");
    using d = conn.queryArrow("SELECT toDecimal64(-3.14, 4) AS v");
    assert.equal(String(d.getChild("v")!.get(0)), "-31400"); // the unscaled value, as apache-arrow JS shows decimals
    assert.equal(one("true").value, true);
  });

  test("strings and fixed strings", () => {
    assert.equal(one("'héllo\\0x'").value, "héllo\0x");
    assert.equal(one("toFixedString('ab', 4)").type, "FixedSizeBinary[4]");
    assert.deepEqual(one("'ab'", { stringAsBinary: true }).value, [97, 98]);
  });

  test("dates and times", () => {
    assert.deepEqual(one("toDate('2024-02-29')"), {
      type: "Date32<DAY>",
      nullable: false,
      value: Date.UTC(2024, 1, 29),
    });
    assert.equal(one("toDate32('1900-01-02')").value, Date.UTC(1900, 0, 2));
    assert.deepEqual(one("toDateTime('2024-02-29 12:34:56', 'Asia/Tokyo')"), {
      type: "Timestamp<SECOND, Asia/Tokyo>",
      nullable: false,
      value: Date.UTC(2024, 1, 29, 3, 34, 56),
    });
    assert.equal(one("toDateTime('2024-02-29 12:34:56', 'UTC')", { restoreTypes: false }).type, "Uint32");
    assert.equal(one("toUInt32(7)").type, "Uint32", "a UInt32 stays a UInt32");
    using dt = conn.queryArrow(
      "SELECT toUInt32(number) AS u, if(number = 1, NULL, toDateTime(number, 'UTC')) AS d, toIPv4(number) AS ip FROM numbers(3)",
    );
    assert.deepEqual(dt.schema.fields.map((f) => String(f.type)), ["Uint32", "Timestamp<SECOND, UTC>", "Uint32"]);
    assert.deepEqual([...dt.getChild("d")!], [0, null, 2000]);
    const ts = one("toDateTime64('2024-02-29 12:34:56.789', 3, 'Asia/Tokyo')");
    assert.equal(ts.type, "Timestamp<MILLISECOND, Asia/Tokyo>");
    assert.equal(ts.value, Date.UTC(2024, 1, 29, 3, 34, 56, 789));
    assert.equal(
      one("toDateTime64(toDateTime('2024-02-29 12:34:56', 'UTC'), 0, 'UTC')").type,
      "Timestamp<SECOND, UTC>",
    );
  });

  test("IPv4, Enum, LowCardinality", () => {
    assert.equal(one("toIPv4('1.2.3.4')").value, 0x01020304);
    assert.deepEqual(one("CAST('b', 'Enum8(\\'a\\' = 1, \\'b\\' = 2)')"), {
      type: "Dictionary<Int32, Utf8>",
      nullable: false,
      value: "b",
    });
    assert.deepEqual(one("CAST('b', 'Enum8(\\'a\\' = 1, \\'b\\' = 2)')", { restoreTypes: false }), {
      type: "Int8",
      nullable: false,
      value: 2,
    });
    using e = conn.queryArrow(
      String
        .raw`SELECT CAST(if(number = 1, NULL, ['x', 'y', 'z'][number + 1]), 'Nullable(Enum16(\'x\' = -300, \'y\' = 7, \'z\' = 1000))') AS e FROM numbers(3)`,
    );
    assert.deepEqual([...e.getChild("e")!], ["x", null, "z"]);
    assert.equal(one("toLowCardinality('lc')").type, "Utf8");
    using t = conn.queryArrow("SELECT toLowCardinality(toString(number % 3)) AS v FROM numbers(7)", {
      lowCardinalityAsDictionary: true,
    });
    assert.equal(String(t.schema.fields[0].type), "Dictionary<Uint32, Utf8>");
    assert.deepEqual([...t.getChild("v")!], ["0", "1", "2", "0", "1", "2", "0"]);
  });

  test("Nullable, Array, Tuple, Map, Nested", () => {
    using t = conn.queryArrow("SELECT if(number = 1, NULL, number) AS v FROM numbers(3)");
    assert.equal(t.schema.fields[0].nullable, true);
    assert.deepEqual([...t.getChild("v")!], [0n, null, 2n]);
    assert.deepEqual(one("[[1, 2], [3]]").value, [[1, 2], [3]]);
    assert.deepEqual(one("CAST((1, 'a'), 'Tuple(x Int32, y String)')").value, { x: 1, y: "a" });
    assert.deepEqual(one("map('a', 1, 'b', 2)").value, { a: 1, b: 2 });
    const nested = one("CAST([(1, 'a'), (2, 'b')], 'Nested(x Int32, y String)')");
    assert.equal(nested.type, "List<Struct<{x:Int32, y:Utf8}>>");
    assert.deepEqual(nested.value, [{ x: 1, y: "a" }, { x: 2, y: "b" }]);
  });

  test("Variant is a dense union; JSON and Dynamic are text", () => {
    using t = conn.queryArrow(
      "SELECT arrayJoin([CAST(1, 'Variant(UInt8, String)'), CAST('x', 'Variant(UInt8, String)'), NULL]) AS v",
    );
    assert.match(String(t.schema.fields[0].type), /^Union</);
    assert.deepEqual([...t.getChild("v")!], [1, "x", null]);
    assert.deepEqual(one(`CAST('{"a":1}', 'JSON')`), { type: "Utf8", nullable: false, value: '{"a":1}' });
  });

  test("a type with no faithful mapping fails clearly, or is binary on request", () => {
    assert.throws(
      () => one("sumState(1)"),
      (e: unknown) => e instanceof ChdbQueryError && /AggregateFunction/.test(e.message),
    );
    assert.equal(one("sumState(1)", { unsupportedAsBinary: true }).type, "Binary");
  });
});

describe("lifetime", () => {
  test("close() detaches every view: a closed table reads empty, never freed memory", () => {
    const t = conn.queryArrow("SELECT number AS a, toString(number) AS s FROM numbers(1000)");
    const a = t.getChild("a")!;
    const slice = t.slice(10, 20);
    assert.equal(a.get(999), 999n);
    t.close();
    assert.equal(t.closed, true);
    assert.equal(a.data[0].values.length, 0);
    assert.equal((a.data[0].values.buffer as ArrayBuffer).byteLength, 0); // detached (Node 20 has no .detached)
    assert.notEqual(a.get(999), 999n);
    assert.notEqual(slice.getChild("s")!.get(0), "10");
    t.close(); // idempotent
  });

  test("`using` frees at the end of the scope", () => {
    let escaped: ArrowTable;
    {
      using t = conn.queryArrow("SELECT 1 AS x");
      escaped = t;
      assert.equal(t.closed, false);
    }
    assert.equal(escaped.closed, true);
  });

  test("a table stays readable after its connection is closed", () => {
    const c = connect();
    using t = c.queryArrow("SELECT number AS a, toString(number) AS s FROM numbers(100)");
    c.close();
    assert.equal(t.getChild("s")!.get(99), "99");
  });

  test("derived tables keep working while the original is open", () => {
    using t = conn.queryArrow("SELECT number AS a FROM numbers(100)");
    const picked = t.select(["a"]).slice(50, 52);
    assert.deepEqual([...picked.getChild("a")!], [50n, 51n]);
  });
});

describe("off the JS thread", () => {
  test("queryArrowAsync and queryAsync(sql, 'ArrowTable')", async () => {
    using a = await conn.queryArrowAsync("SELECT number AS n FROM numbers(100000)");
    assert.equal(a.numRows, 100000);
    assert.equal(a.getChild("n")!.get(99999), 99999n);
    using b = await conn.queryAsync("SELECT {x:String} AS s", "ArrowTable", { params: { x: "hi" } });
    assert.equal(b.getChild("s")!.get(0), "hi");
    using c = await queryAsync("SELECT 3 AS x", "Dataframe");
    assert.equal(c.getChild("x")!.get(0), 3);
  });

  test("registered tables in async queries, and engine errors", async () => {
    conn.register("async_src", { a: [1, 2, 3] });
    try {
      const [r, t] = await Promise.all([
        conn.queryAsync("SELECT sum(a) FROM arrowstream('async_src')"),
        conn.queryArrowAsync("SELECT count() AS n FROM arrowstream('async_src')"),
      ]);
      assert.equal(r.text(), "6\n");
      assert.equal(t.getChild("n")!.get(0), 3n);
      t.close();
    } finally {
      conn.unregister("async_src");
    }
    await assert.rejects(conn.queryArrowAsync("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.code === 62);
  });
});

test(`tables never closed are freed by the FinalizationRegistry once garbage (${runtime})`, () => {
  const r = runScript(fixture("arrow_finalize.ts"), [], { exposeGc: true });
  assert.equal(r.status, 0, r.stderr.toString());
  const growthMb = Number(r.stdout.toString().trim());
  // 40 tables x 40 MB = 1600 MB if nothing were freed.
  assert.ok(growthMb < 600, `RSS grew by ${growthMb} MB`);
});
