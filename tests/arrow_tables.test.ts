// JS data as SQL tables: register()/unregister(), the sql tagged template, TableReader.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { tableFromArrays, tableFromJSON } from "apache-arrow";
import { ChdbArgumentError, ChdbClosedError, ChdbError, ChdbQueryError, connect, type RegisterData, sql, TableReader } from "../mod.ts";

const conn = connect();
after(() => conn.close());

const a = [1, 2, 3, 4, 5, 6];
const b = ["tom", "jerry", "auxten", "tom", "jerry", "auxten"];
const EXPECTED = '"auxten",9\n"jerry",7\n"tom",5\n';
const groupBy = (name: string) =>
  conn.query(`SELECT b, sum(a) FROM arrowstream('${name}') GROUP BY b ORDER BY b`).text();

class ColumnsReader extends TableReader {
  #pos = 0;
  read(columns: string[], count: number): unknown[][] {
    const data = this.data as Record<string, unknown[]>;
    const n = Math.min(count, 2, data[columns[0]].length - this.#pos); // small batches: several reads
    if (n <= 0) return [];
    const out = columns.map((c) => data[c].slice(this.#pos, this.#pos + n));
    this.#pos += n;
    return out;
  }
}

const inputs: Record<string, () => unknown> = {
  "apache-arrow Table": () => tableFromArrays({ a: Int32Array.from(a), b }),
  "apache-arrow RecordBatch": () => tableFromArrays({ a: Float64Array.from(a), b }).batches[0],
  "array of row objects": () => a.map((x, i) => ({ a: x, b: b[i] })),
  "record of column arrays": () => ({ a, b }),
  "record with a typed-array column": () => ({ a: BigInt64Array.from(a.map(BigInt)), b }),
  "TableReader": () => new ColumnsReader({ a, b }),
};

describe("register", () => {
  for (const [kind, make] of Object.entries(inputs)) {
    test(`the seed GROUP BY over ${kind}`, () => {
      conn.register("seed", make() as RegisterData);
      try {
        assert.equal(groupBy("seed"), EXPECTED);
        assert.equal(groupBy("seed"), EXPECTED, "a registered table can be queried again");
      } finally {
        assert.equal(conn.unregister("seed"), true);
      }
    });
  }

  test("registered tables in stream(), prepare() and cursors", () => {
    conn.register("everywhere", { a: [1, 2, 3] });
    try {
      const chunks = [...conn.stream("SELECT a FROM arrowstream('everywhere') ORDER BY a", "CSV")].map((r) => r.text());
      assert.equal(chunks.join(""), "1\n2\n3\n");
      assert.deepEqual(conn.prepare("SELECT sum(a) AS s FROM arrowstream('everywhere')").all(), [{ s: 6n }]);
      const cursor = conn.cursor();
      cursor.execute("SELECT count() FROM arrowstream('everywhere')");
      assert.deepEqual(cursor.fetchall(), [[3n]]);
      cursor.close();
    } finally {
      conn.unregister("everywhere");
    }
  });

  test("a self-join on one registered name reads the data for both sides", () => {
    conn.register("t", { a, b });
    try {
      const r = conn.query("SELECT count() FROM arrowstream('t') x JOIN arrowstream('t') y ON x.b = y.b").text();
      assert.equal(r, "12\n");
    } finally {
      conn.unregister("t");
    }
  });

  test("a join of two JS tables", () => {
    conn.register("people", [{ id: 1, name: "tom" }, { id: 2, name: "jerry" }]);
    conn.register("scores", { id: [1, 1, 2], score: [10.5, 2, 7] });
    try {
      using t = conn.queryArrow(
        "SELECT name, sum(score) AS s FROM arrowstream('people') p JOIN arrowstream('scores') s USING id GROUP BY name ORDER BY name",
      );
      assert.deepEqual(t.toArray().map((r) => r.toJSON()), [{ name: "jerry", s: 7 }, { name: "tom", s: 12.5 }]);
    } finally {
      conn.unregister("people");
      conn.unregister("scores");
    }
  });

  test("types of converted JS values", () => {
    conn.register("typed", {
      i: [1, null, 3],
      f: [1.5, 2, null],
      big: [1n, 18446744073709551615n, 0n],
      s: ["x", null, "é"],
      ok: [true, false, null],
      d: [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), null, new Date(0)],
      arr: [[1, 2], [], [3]],
    });
    try {
      const types = conn.query("DESCRIBE arrowstream('typed')", "TSV").text().split("\n").map((l) =>
        l.split("\t").slice(0, 2).join("\t")
      ).join("\n");
      assert.equal(
        types,
        "i\tNullable(Int64)\nf\tNullable(Float64)\nbig\tUInt64\ns\tNullable(String)\nok\tNullable(Bool)\n" +
          "d\tNullable(DateTime64(3, \\'UTC\\'))\narr\tArray(Int64)\n",
      );
      const rows = conn.query("SELECT * FROM arrowstream('typed')", "JSONCompactEachRow").text();
      assert.equal(
        rows,
        '[1, 1.5, 1, "x", true, "2024-01-02 03:04:05.006", [1,2]]\n' +
          "[null, 2, 18446744073709551615, null, false, null, []]\n" +
          '[3, null, 0, "é", null, "1970-01-01 00:00:00.000", [3]]\n',
      );
    } finally {
      conn.unregister("typed");
    }
  });

  test("Arrow input is scanned in place: slices, nulls and dictionaries", () => {
    const t = tableFromJSON([{ x: 1, s: "a" }, { x: null, s: "b" }, { x: 3, s: null }, { x: 4, s: "a" }]);
    conn.register("sliced", t.slice(1, 4));
    try {
      assert.equal(conn.query("SELECT x, s FROM arrowstream('sliced')").text(), '\\N,"b"\n3,\\N\n4,"a"\n');
    } finally {
      conn.unregister("sliced");
    }
  });

  test("an Arrow result of a query can be registered back", () => {
    using result = conn.queryArrow("SELECT number AS a, toString(number % 3) AS b FROM numbers(10)");
    conn.register("roundtrip", result);
    try {
      assert.equal(
        conn.query("SELECT b, sum(a) FROM arrowstream('roundtrip') GROUP BY b ORDER BY b").text(),
        '"0",18\n"1",12\n"2",15\n',
      );
    } finally {
      conn.unregister("roundtrip");
    }
  });
});

describe("TableReader", () => {
  test("getSchema() names and types the columns", () => {
    class Numbers extends TableReader {
      #next = 0;
      getSchema(): [string, string][] {
        return [["n", "UInt32"], ["label", "Nullable(String)"], ["tags", "Array(String)"]];
      }
      read(columns: string[], count: number): unknown[][] {
        assert.deepEqual(columns, ["n", "label", "tags"]);
        if (this.#next >= 5) return [];
        const n = Math.min(count, 5 - this.#next);
        const ids = Array.from({ length: n }, (_, i) => this.#next + i);
        this.#next += n;
        return [ids, ids.map((i) => (i % 2 ? null : `#${i}`)), ids.map((i) => Array(i % 3).fill("t"))];
      }
    }
    conn.register("numbers", new Numbers());
    try {
      const types = conn.query("DESCRIBE arrowstream('numbers')", "TSV").text().split("\n").map((l) =>
        l.split("\t")[1]
      );
      assert.deepEqual(types.slice(0, 3), ["UInt32", "Nullable(String)", "Array(String)"]);
      assert.equal(
        conn.query("SELECT sum(n), count(label), sum(length(tags)) FROM arrowstream('numbers')").text(),
        "10,3,4\n",
      );
    } finally {
      conn.unregister("numbers");
    }
  });

  test("a declared type the values do not fit is a clear error", () => {
    class Bad extends TableReader {
      getSchema(): [string, string][] {
        return [["n", "UInt8"]];
      }
      read(): unknown[][] {
        return [[1, 300]];
      }
    }
    assert.throws(
      () => conn.register("bad_reader", new Bad()),
      (e: unknown) => e instanceof ChdbArgumentError && /does not fit Uint8/.test(e.message),
    );
    class Unknown extends TableReader {
      getSchema(): [string, string][] {
        return [["n", "Decimal(10, 2)"]];
      }
      read(): unknown[][] {
        return [];
      }
    }
    assert.throws(() => conn.register("bad_reader", new Unknown()), /not supported/);
  });
});

describe("bad input", () => {
  const rejects = (data: unknown, pattern: RegExp) => {
    assert.throws(
      () => conn.register("bad", data as RegisterData),
      (e: unknown) => e instanceof ChdbArgumentError && pattern.test(e.message),
    );
    assert.equal(conn.unregister("bad"), false);
  };

  test("columns of different lengths", () => rejects({ a: [1, 2, 3], b: ["x"] }, /different lengths/));
  test("mixed types in one column", () => rejects({ a: [1, "two", 3] }, /mixes integer .* and string/));
  test("values with no SQL type", () => {
    rejects({ a: [() => 1] }, /function has no SQL type/);
    rejects([{ a: Symbol("s") }], /symbol has no SQL type/);
  });
  test("not a table at all", () => {
    rejects(42, /cannot use number as a table/);
    rejects(null, /cannot use null/);
    rejects([1, 2], /row 0 is not an object/);
  });

  test("a name already registered", () => {
    conn.register("dup", { a: [1] });
    try {
      assert.throws(() => conn.register("dup", { a: [2] }), /already registered/);
      assert.equal(conn.query("SELECT a FROM arrowstream('dup')").text(), "1\n");
    } finally {
      conn.unregister("dup");
    }
  });

  test("a reader that throws, or returns ragged columns", () => {
    class Throwing extends TableReader {
      read(): unknown[][] {
        throw new Error("disk on fire");
      }
    }
    class Ragged extends TableReader {
      read(): unknown[][] {
        return [[1, 2], [1]];
      }
    }
    assert.throws(
      () => conn.register("r", new Throwing({ a: [] })),
      (e: unknown) => e instanceof ChdbError && /disk on fire/.test(e.message),
    );
    assert.throws(() => conn.register("r", new Ragged({ a: [], b: [] })), /different lengths/);
    assert.equal(conn.unregister("r"), false);
  });

  test("a query on an unregistered name fails and the connection stays usable", () => {
    assert.throws(() => conn.query("SELECT * FROM arrowstream('nothing_here')"), ChdbQueryError);
    assert.equal(conn.query("SELECT 1").text(), "1\n");
  });

  test("use after close", () => {
    const c = connect();
    c.register("x", { a: [1] });
    c.close();
    assert.throws(() => c.register("y", { a: [1] }), ChdbClosedError);
    assert.throws(() => c.queryArrow("SELECT 1"), ChdbClosedError);
    assert.throws(() => c.streamArrow("SELECT 1"), ChdbClosedError);
    assert.throws(() => c.sql`SELECT 1`, ChdbClosedError);
    assert.equal(c.unregister("x"), false);
  });

  test("bad names", () => {
    assert.throws(() => conn.register("", { a: [1] }), ChdbArgumentError);
    assert.throws(() => conn.register("a\0b", { a: [1] }), ChdbArgumentError);
  });
});

describe("sql tagged template", () => {
  test("the seed example with a table and a bound value", () => {
    const table = { a, b };
    using t = conn.sql`SELECT b, sum(a) AS s FROM ${table} WHERE a > ${1} GROUP BY b ORDER BY b`;
    assert.deepEqual(t.toArray().map((r) => r.toJSON()), [{ b: "auxten", s: 9n }, { b: "jerry", s: 7n }, {
      b: "tom",
      s: 4n,
    }]);
  });

  test("top-level sql and a self-join through two interpolations", () => {
    const t = tableFromArrays({ k: Int32Array.from([1, 2, 3]) });
    using r = sql`SELECT count() AS n FROM ${t} x JOIN ${t} y ON x.k = y.k`;
    assert.equal(r.getChild("n")!.get(0), 3n);
  });

  test("values are parameters, never SQL text", () => {
    const evil = "'; DROP TABLE x; --";
    using r = conn.sql`SELECT ${evil} AS s, ${[1, 2, 3]} AS arr, ${2.5} AS f, ${null} AS n, ${true} AS ok`;
    const row = r.get(0)!.toJSON();
    assert.equal(row.s, evil);
    assert.deepEqual([...row.arr], [1n, 2n, 3n]);
    assert.equal(row.f, 2.5);
    assert.equal(row.n, null);
    assert.equal(row.ok, true);
  });

  test("a value with no SQL type is rejected", () => {
    assert.throws(() => conn.sql`SELECT ${() => 1}`, ChdbArgumentError);
    assert.throws(() => conn.sql`SELECT ${Symbol("x")}`, ChdbArgumentError);
  });

  test("a join of two JS tables", () => {
    const people = [{ id: 1, name: "tom" }, { id: 2, name: "jerry" }];
    const scores = tableFromArrays({ id: Int32Array.from([1, 2, 2]), score: Float64Array.from([1, 2, 3]) });
    using r = conn
      .sql`SELECT name, sum(score) AS s FROM ${people} p JOIN ${scores} s ON p.id = s.id GROUP BY name ORDER BY name`;
    assert.deepEqual(r.toArray().map((x) => x.toJSON()), [{ name: "jerry", s: 5 }, { name: "tom", s: 1 }]);
  });
});

test("data detached after register() reads as registered (register() copied it)", () => {
  using conn2 = connect();
  const a = new Float64Array([1, 2, 3]);
  conn2.register("fragile", { a });
  structuredClone(a.buffer, { transfer: [a.buffer] }); // detaches it (Node 20 has no ArrayBuffer.transfer)
  assert.equal(conn2.query("SELECT sum(a) FROM arrowstream('fragile')").text(), "6\n");
  conn2.unregister("fragile");
});
