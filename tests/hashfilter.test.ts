// The seven hash-filter operations over string[] and Arrow vectors, the expressions, filter(),
// conn.lazy(), and every example of the polars-hashfilter package page.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Dictionary,
  Float64,
  Int16,
  Int32,
  Int8,
  List,
  Field,
  LargeUtf8,
  makeVector,
  Table,
  tableFromArrays,
  Utf8,
  Vector,
  vectorFromArray,
} from "apache-arrow";
import {
  ChdbArgumentError,
  ChdbError,
  ChdbTypeError,
  col,
  connect,
  filter,
  isInHashset,
  notInHashset,
  StringHashSet,
} from "../mod.ts";

const sorted = (values: string[]) => [...values].sort();
const bools = (v: Vector) => [...v] as (boolean | null)[];
const column = (t: Table, name: string) => [...t.getChild(name)!] as unknown[];
const utf8 = (values: (string | null)[]) => vectorFromArray(values, new Utf8());

describe("seed examples (polars-hashfilter package page)", () => {
  it("basic: isInHashset and hashfilter.notIn", () => {
    using seen = StringHashSet.fromValues(["alice", "bob"]);
    const df = tableFromArrays({ user: ["alice", "charlie", "bob", "dave"] });
    assert.deepEqual(column(filter(df, isInHashset(col("user"), seen)), "user"), ["alice", "bob"]);
    assert.deepEqual(column(filter(df, col("user").hashfilter.notIn(seen)), "user"), ["charlie", "dave"]);
    assert.deepEqual(column(filter(df, notInHashset(col("user"), seen)), "user"), ["charlie", "dave"]);
  });

  it("deduplication across three lazy queries (anti-join pattern)", () => {
    using conn = connect();
    using seen = new StringHashSet();
    const frames = [
      "SELECT * FROM values('id String, value Int64', ('a', 1), ('b', 2))",
      "SELECT * FROM values('id String, value Int64', ('b', 3), ('c', 4))",
      "SELECT * FROM values('id String, value Int64', ('c', 5), ('d', 6))",
    ];
    const results = frames.map((sql) => {
      const df = conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdate(seen)).collect();
      return { id: column(df, "id"), value: column(df, "value").map(Number) };
    });
    assert.deepEqual(results, [
      { id: ["a", "b"], value: [1, 2] },
      { id: ["c"], value: [4] },
      { id: ["d"], value: [6] },
    ]);
    assert.deepEqual(sorted(seen.toArray()), ["a", "b", "c", "d"]);
  });

  it("the same dedup over in-memory tables with filter()", () => {
    using seen = new StringHashSet();
    const frames = [
      tableFromArrays({ id: ["a", "b"], value: Int32Array.from([1, 2]) }),
      tableFromArrays({ id: ["b", "c"], value: Int32Array.from([3, 4]) }),
      tableFromArrays({ id: ["c", "d"], value: Int32Array.from([5, 6]) }),
    ];
    const out = frames.map((lf) => filter(lf, col("id").hashfilter.notInAndUpdate(seen)));
    assert.deepEqual(out.map((t) => column(t, "id")), [["a", "b"], ["c"], ["d"]]);
    assert.deepEqual(out.map((t) => column(t, "value")), [[1, 2], [4], [6]]);
    assert.deepEqual(sorted(seen.toList()), ["a", "b", "c", "d"]);
  });

  it("batch semantics: every copy of a new value is kept", () => {
    const df = tableFromArrays({ id: ["a", "b", "a", "c", "b"] });
    using seen = new StringHashSet();
    const result = filter(df, col("id").hashfilter.notInAndUpdate(seen));
    assert.deepEqual(column(result, "id"), ["a", "b", "a", "c", "b"]);
    assert.deepEqual(sorted(seen.toArray()), ["a", "b", "c"]);
  });

  it("row-wise semantics: only the first occurrence is kept", () => {
    const df = tableFromArrays({ id: ["a", "b", "a", "c", "b"] });
    using seen = new StringHashSet();
    const result = filter(df, col("id").hashfilter.notInAndUpdateRowwise(seen));
    assert.deepEqual(column(result, "id"), ["a", "b", "c"]);
    assert.deepEqual(sorted(seen.toArray()), ["a", "b", "c"]);
  });

  it("streaming pattern: notIn for the lookup, update for the insert", () => {
    using conn = connect();
    using seen = StringHashSet.fromValues(["k1"]);
    const sql = "SELECT concat('k', toString(number % 4)) AS id FROM numbers(8)";
    const filtered = conn.lazy(sql).filter(col("id").hashfilter.notIn(seen)).collect();
    assert.deepEqual(column(filtered, "id"), ["k0", "k2", "k3", "k0", "k2", "k3"]);
    assert.equal(seen.size, 1);
    const nulls = col("id").hashfilter.update(seen).evaluate(filtered);
    assert.equal(nulls.length, 6);
    assert.equal(nulls.nullCount, 6);
    assert.deepEqual(sorted(seen.toArray()), ["k0", "k1", "k2", "k3"]);
  });

  it("update functions: update (nulls), updateChain (the input), updateBool", () => {
    const df = tableFromArrays({ id: ["x", "y", "x"] });
    using seen = new StringHashSet();
    const updated = col("id").hashfilter.update(seen).evaluate(df);
    assert.equal(updated.type.toString(), "Null");
    assert.deepEqual([...updated], [null, null, null]);
    assert.equal(seen.size, 2);
    using other = new StringHashSet();
    const chained = col("id").hashfilter.updateChain(other).evaluate(df);
    assert.equal(chained.data[0], df.getChild("id")!.data[0]);
    assert.deepEqual(sorted(other.toArray()), ["x", "y"]);
    // chained expressions: updateChain feeds the next operation
    using third = new StringHashSet();
    const flags = col("id").hashfilter.updateChain(third).hashfilter.updateBool(new StringHashSet()).evaluate(df);
    assert.deepEqual(bools(flags), [true, true, false]);
    using fresh = new StringHashSet();
    assert.deepEqual(bools(col("id").hashfilter.updateBool(fresh).evaluate(df)), [true, true, false]);
  });

  it("zero-copy: the set's address does not change as it is used", () => {
    using seen = new StringHashSet();
    const ptr1 = seen.ptr;
    const df = tableFromArrays({ id: Array.from({ length: 10_000 }, (_, i) => `id${i % 5000}`) });
    filter(df, col("id").hashfilter.notInAndUpdate(seen));
    assert.equal(seen.ptr, ptr1);
  });
});

describe("the seven operations over columns", () => {
  const kinds: [string, (v: (string | null)[]) => unknown][] = [
    ["string[]", (v) => v],
    ["Utf8", (v) => vectorFromArray(v, new Utf8())],
    ["LargeUtf8", (v) => vectorFromArray(v, new LargeUtf8())],
    ["Dictionary<Int32, Utf8>", (v) => vectorFromArray(v, new Dictionary(new Utf8(), new Int32()))],
    ["Dictionary<Int16, Utf8>", (v) => vectorFromArray(v, new Dictionary(new Utf8(), new Int16()))],
    ["Dictionary<Int8, LargeUtf8>", (v) => vectorFromArray(v, new Dictionary(new LargeUtf8(), new Int8()))],
  ];
  const input = ["a", null, "b", "a", "", "c", null, "c", "日本"];

  for (const [name, make] of kinds) {
    it(`${name}: nulls give null and are never inserted`, () => {
      const col = make(input) as Vector<Utf8>;
      using s = StringHashSet.fromValues(["a", ""]);
      assert.deepEqual(bools(s.isIn(col)), [true, null, false, true, true, false, null, false, false]);
      assert.deepEqual(bools(s.notIn(col)), [false, null, true, false, false, true, null, true, true]);
      assert.equal(s.size, 2);
      assert.deepEqual(bools(s.notInAndUpdate(col)), [false, null, true, false, false, true, null, true, true]);
      assert.deepEqual(sorted(s.toArray()), ["", "a", "b", "c", "日本"]);
      using r = StringHashSet.fromValues(["a"]);
      assert.deepEqual(bools(r.notInAndUpdateRowwise(col)), [false, null, true, false, true, true, null, false, true]);
      using u = new StringHashSet();
      assert.deepEqual(bools(u.updateBool(col)), [true, null, true, false, true, true, null, false, true]);
      using n = new StringHashSet();
      const nulls = n.update(col);
      assert.equal(nulls.length, input.length);
      assert.equal(nulls.nullCount, input.length);
      assert.deepEqual(sorted(n.toArray()), ["", "a", "b", "c", "日本"]);
      using c = new StringHashSet();
      assert.equal(c.updateChain(col), col);
      assert.equal(c.size, 5);
      assert.equal(c.contains("null"), false);
    });
  }

  it("results are Arrow Bool vectors chunked like the input", () => {
    using s = StringHashSet.fromValues(["b"]);
    const out = s.isIn(utf8(["a", "b"]));
    assert.ok(out instanceof Vector);
    assert.equal(out.type.toString(), "Bool");
    assert.equal(out.nullCount, 0);
  });

  it("sliced vectors are read at their offset", () => {
    using s = StringHashSet.fromValues(["c", "e"]);
    const v = utf8(["a", null, "c", "d", "e", "f"]).slice(1, 5);
    assert.deepEqual(bools(s.isIn(v)), [null, true, false, true]);
    const d = vectorFromArray(["a", null, "c", "d", "e"], new Dictionary(new Utf8(), new Int32())).slice(2);
    assert.deepEqual(bools(s.isIn(d)), [true, false, true]);
  });

  it("batch semantics span every chunk of a chunked vector", () => {
    const chunked = new Vector([utf8(["a", "b"]).data[0], utf8(["a", "c"]).data[0]]) as Vector<Utf8>;
    using batch = new StringHashSet();
    assert.deepEqual(bools(batch.notInAndUpdate(chunked)), [true, true, true, true]);
    using rowwise = new StringHashSet();
    assert.deepEqual(bools(rowwise.notInAndUpdateRowwise(chunked)), [true, true, false, true]);
    assert.equal(batch.isIn(chunked).data.length, 2);
  });

  it("the set persists across calls (batches)", () => {
    using s = new StringHashSet();
    assert.deepEqual(bools(s.notInAndUpdate(["a", "b"])), [true, true]);
    assert.deepEqual(bools(s.notInAndUpdate(utf8(["b", "c"]))), [false, true]);
    assert.deepEqual(bools(s.notInAndUpdate(["c", "d", "d"])), [false, true, true]);
    assert.equal(s.size, 4);
  });

  it("empty columns, empty strings and a column of only nulls", () => {
    using s = new StringHashSet();
    assert.equal(s.isIn([]).length, 0);
    assert.equal(s.notInAndUpdate(utf8([])).length, 0);
    assert.deepEqual(bools(s.updateBool(["", "", null])), [true, false, null]);
    assert.deepEqual(bools(s.updateBool([null, null])), [null, null]);
    assert.equal(s.size, 1);
  });

  it("a large column matches a JS Set (lookups split across threads)", () => {
    const values = Array.from({ length: 140_000 }, (_, i) => i % 7 === 0 ? null : `v${(i * 7919) % 40_000}`);
    const column = utf8(values);
    using s = new StringHashSet();
    const js = new Set<string>();
    const expected = values.map((v) => v === null ? null : js.has(v) ? false : (js.add(v), true));
    assert.deepEqual(bools(s.notInAndUpdateRowwise(column)), expected);
    assert.equal(s.size, js.size);
    using half = StringHashSet.fromValues([...js].filter((_, i) => i % 2 === 0));
    const inHalf = new Set([...js].filter((_, i) => i % 2 === 0));
    assert.deepEqual(bools(half.isIn(column)), values.map((v) => v === null ? null : inHalf.has(v)));
    assert.deepEqual(bools(half.notIn(column)), values.map((v) => v === null ? null : !inHalf.has(v)));
  });

  it("other column types give a ChdbTypeError", () => {
    using s = new StringHashSet();
    for (const bad of [makeVector(Int32Array.from([1, 2])), vectorFromArray([1.5], new Float64()), "abc", 42, null]) {
      assert.throws(() => s.isIn(bad as never), (e: unknown) => {
        assert.ok(e instanceof ChdbTypeError && e instanceof ChdbArgumentError && e instanceof ChdbError);
        assert.match(e.message, /string/);
        return true;
      });
    }
    assert.throws(() => s.isIn([1 as unknown as string]), ChdbArgumentError);
    assert.throws(() => s.isIn(["\udc00"]), /lone surrogate/);
  });
});

describe("expressions and filter()", () => {
  it("filter keeps other columns of every type aligned", () => {
    using s = StringHashSet.fromValues(["b", "d"]);
    const t = new Table({
      id: vectorFromArray(["a", "b", "c", "d"]),
      n: makeVector(Int32Array.from([1, 2, 3, 4])),
      big: makeVector(BigInt64Array.from([10n, 20n, 30n, 40n])),
      f: makeVector(Float64Array.from([0.5, 1.5, 2.5, 3.5])),
      s: utf8(["w", null, "y", "z"]),
      l: vectorFromArray([[1], [2, 2], [], [4]], new List(new Field("item", new Int32()))),
      ok: vectorFromArray([true, false, true, null]),
    });
    const out = filter(t, col("id").hashfilter.notIn(s));
    assert.equal(out.numRows, 2);
    assert.deepEqual(out.toArray().map((r) => r.toJSON()).map((r) => ({ ...r, l: [...(r.l as Iterable<number>)] })), [
      { id: "a", n: 1, big: 10n, f: 0.5, s: "w", l: [1], ok: true },
      { id: "c", n: 3, big: 30n, f: 2.5, s: "y", l: [], ok: true },
    ]);
    assert.deepEqual(out.schema.fields.map((f) => `${f.name}:${f.type}`), t.schema.fields.map((f) => `${f.name}:${f.type}`));
  });

  it("filter on a RecordBatch and on a multi-batch Table", () => {
    using s = StringHashSet.fromValues(["x"]);
    const t1 = tableFromArrays({ id: ["x", "y"] });
    const t2 = tableFromArrays({ id: ["y", "x", "z"] });
    const both = t1.concat(t2);
    assert.equal(both.batches.length, 2);
    assert.deepEqual(column(filter(both, col("id").hashfilter.notIn(s)), "id"), ["y", "y", "z"]);
    assert.deepEqual(column(filter(t2.batches[0], col("id").hashfilter.isIn(s)), "id"), ["x"]);
  });

  it("clear errors for a missing column, a non-boolean expression and wrong arguments", () => {
    using s = new StringHashSet();
    const t = tableFromArrays({ id: ["a"], n: Int32Array.from([1]) });
    assert.throws(() => filter(t, col("nope").hashfilter.isIn(s)), /no column "nope".*id, n/);
    assert.throws(() => filter(t, col("id").hashfilter.updateChain(s)), ChdbTypeError);
    assert.throws(() => filter(t, col("n").hashfilter.isIn(s)), ChdbTypeError);
    assert.throws(() => filter({} as Table, col("id")), ChdbArgumentError);
  });
});

describe("conn.lazy()", () => {
  it("streams batches and filters each natively; the set carries across batches", () => {
    using conn = connect();
    using seen = new StringHashSet();
    const sql = "SELECT toString(number % 1000) AS id, number FROM numbers(50000) SETTINGS max_block_size = 8192";
    const batches = [...conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdateRowwise(seen)).stream()];
    assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 1000);
    assert.equal(seen.size, 1000);
    const again = conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdate(seen)).collect();
    assert.equal(again.numRows, 0);
    assert.deepEqual(again.schema.fields.map((f) => f.name), ["id", "number"]);
  });

  it("batch semantics hold within one engine batch", () => {
    using conn = connect();
    using seen = new StringHashSet();
    const sql = "SELECT toString(number % 10) AS id FROM numbers(40) SETTINGS max_block_size = 20";
    const batches = [...conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdate(seen)).stream()];
    // the first engine batch keeps all 20 rows (every value new before it), later batches none
    assert.deepEqual(batches.map((b) => b.numRows), [20]);
  });

  it("several filters apply in order; a query with no rows gives an empty table", () => {
    using conn = connect();
    using allow = StringHashSet.fromValues(["1", "2", "3"]);
    using seen = new StringHashSet();
    const t = conn.lazy("SELECT toString(number % 5) AS id FROM numbers(20)")
      .filter(col("id").hashfilter.isIn(allow))
      .filter(col("id").hashfilter.notInAndUpdateRowwise(seen))
      .collect();
    assert.deepEqual(column(t, "id"), ["1", "2", "3"]);
    assert.deepEqual(sorted(seen.toArray()), ["1", "2", "3"]);
    const none = conn.lazy("SELECT 'a' AS id WHERE 0").filter(col("id").hashfilter.isIn(allow)).collect();
    assert.equal(none.numRows, 0);
  });

  it("leaving the stream early cancels the query; the connection stays usable", () => {
    using conn = connect();
    using seen = new StringHashSet();
    const sql = "SELECT toString(number) AS id FROM numbers(10000000) SETTINGS max_block_size = 10000";
    let batches = 0;
    for (const batch of conn.lazy(sql).filter(col("id").hashfilter.notInAndUpdateRowwise(seen)).stream()) {
      assert.equal(batch.numRows, 10000);
      if (++batches === 3) break;
    }
    assert.ok(seen.size >= 30000 && seen.size < 10_000_000, `${seen.size}`);
    assert.equal(conn.query("SELECT 42").text().trim(), "42");
  });

  it("engine errors and closed connections are ChdbErrors", () => {
    const conn = connect();
    assert.throws(() => conn.lazy("SELEC 1").collect(), (e: unknown) => e instanceof ChdbError && e.code === 62);
    conn.close();
    assert.throws(() => conn.lazy("SELECT 1"), ChdbError);
  });
});
