import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbError, ChdbQueryError, connect, engineVersion, query } from "../mod.ts";

test("version: query and engineVersion agree", () => {
  const v = query("SELECT version()", "TSV").text().trim();
  assert.match(v, /^\d+\.\d+\.\d+/);
  assert.ok(v.startsWith(engineVersion().split(".").slice(0, 2).join(".")), `${v} vs ${engineVersion()}`);
});

test("default format is CSV", () => {
  assert.equal(query("SELECT 1, 'abc'").text(), '1,"abc"\n');
});

test("formats: CSV, TSV, JSON, JSONEachRow, JSONCompact, Pretty, Markdown", () => {
  const sql = "SELECT number AS n, toString(number * 2) AS s FROM numbers(3)";
  assert.equal(query(sql, "CSV").text(), '0,"0"\n1,"2"\n2,"4"\n');
  assert.equal(query(sql, "TSVWithNames").text(), "n\ts\n0\t0\n1\t2\n2\t4\n");
  const json = query(sql, "JSON").json<{ data: { n: number; s: string }[]; rows: number }>();
  assert.equal(json.rows, 3);
  assert.deepEqual(json.data[2], { n: 2, s: "4" });
  assert.deepEqual(query(sql, "JSONEachRow").json(), [{ n: 0, s: "0" }, { n: 1, s: "2" }, { n: 2, s: "4" }]);
  assert.deepEqual(query(sql, "JSONCompactEachRow").json(), [[0, "0"], [1, "2"], [2, "4"]]);
  assert.match(query(sql, "Pretty").text(), /┃ n ┃ s ┃/);
  assert.match(query(sql, "Markdown").text(), /\| n \| s \|/);
});

test("binary formats come back byte for byte", () => {
  const sql = "SELECT number AS n FROM numbers(10)";
  const parquet = query(sql, "Parquet").bytes();
  assert.equal(new TextDecoder().decode(parquet.subarray(0, 4)), "PAR1");
  assert.equal(new TextDecoder().decode(parquet.subarray(parquet.length - 4)), "PAR1");
  const arrow = query(sql, "Arrow").bytes();
  assert.equal(new TextDecoder().decode(arrow.subarray(0, 6)), "ARROW1");
  const rowBinary = query("SELECT toUInt32(258) AS x", "RowBinary").bytes();
  assert.deepEqual([...rowBinary], [2, 1, 0, 0]);
  const orc = query(sql, "ORC").bytes();
  assert.equal(new TextDecoder().decode(orc.subarray(0, 3)), "ORC");
});

test("NUL bytes survive in SQL text and in results", () => {
  const r = query("SELECT 'a\0b' AS s, length(s) AS n", "RowBinary").bytes();
  // RowBinary String: varint length 3, then the bytes; then UInt64 3
  assert.deepEqual([...r.subarray(0, 4)], [3, 0x61, 0, 0x62]);
  assert.equal(new DataView(r.buffer, r.byteOffset + 4, 8).getBigUint64(0, true), 3n);
  const tsv = query("SELECT char(0, 120, 0)", "RawBLOB").bytes();
  assert.deepEqual([...tsv], [0, 120, 0]);
});

test("invalid UTF-8 in results: bytes exact, text replaces", () => {
  const r = query("SELECT unhex('ff41')", "RawBLOB");
  assert.deepEqual([...r.bytes()], [0xff, 0x41]);
  assert.equal(r.text(), "\uFFFDA");
});

test("lone surrogates in SQL are a ChdbArgumentError, not a silent U+FFFD", () => {
  assert.throws(() => query("SELECT '\uD800'", "TSV"), ChdbArgumentError);
});

test("multi-statement text runs every statement and returns the last output", () => {
  using conn = connect();
  const r = conn.query(
    "CREATE TABLE ms (a Int32) ENGINE = Memory; INSERT INTO ms VALUES (1), (2), (3); SELECT sum(a) FROM ms",
  );
  assert.equal(r.text(), "6\n");
  conn.query("DROP TABLE ms");
});

test("metrics: result rows/bytes, storage rows/bytes, rows written, elapsed", () => {
  const r = query("SELECT sum(number) FROM numbers(100000)");
  assert.equal(r.rowsRead, 1); // rows in the result
  assert.equal(r.bytesRead, 8);
  assert.equal(r.storageRowsRead, 100000); // rows the query scanned
  assert.equal(r.storageBytesRead, 800000);
  assert.ok(r.elapsed > 0 && r.elapsed < 60);
  using conn = connect();
  conn.query("CREATE TABLE mw (a UInt64) ENGINE = Memory");
  const w = conn.query("INSERT INTO mw SELECT number FROM numbers(1234)");
  assert.equal(w.rowsWritten, 1234);
  assert.equal(w.bytesWritten, 1234 * 8);
  assert.equal(w.text(), "");
  conn.query("DROP TABLE mw");
});

test("engine errors carry code, name and message", () => {
  assert.throws(() => query("SELEC 1"), (e: unknown) => {
    assert.ok(e instanceof ChdbQueryError && e instanceof ChdbError);
    assert.equal(e.code, 62);
    assert.equal(e.codeName, "SYNTAX_ERROR");
    assert.match(e.message, /^Code: 62\. DB::Exception: Syntax error/);
    return true;
  });
  assert.throws(() => query("SELECT * FROM no_such_table_xyz"), { code: 60, codeName: "UNKNOWN_TABLE" });
  assert.throws(() => query("SELECT 1", "NoSuchFormat" as string), { code: 73 });
  assert.throws(() => query("SELECT throwIf(1, 'boom')"), (e: unknown) => e instanceof ChdbQueryError && /boom/.test(e.message));
  // the connection stays usable after errors
  assert.equal(query("SELECT 2").text(), "2\n");
});

test("wrong argument types are ChdbArgumentError", () => {
  assert.throws(() => query(42 as unknown as string), ChdbArgumentError);
  assert.throws(() => query("SELECT 1", "" as string), ChdbArgumentError);
  assert.throws(() => query("SELECT 1", null as unknown as string), ChdbArgumentError);
  assert.throws(() => query("SELECT 1", "CSV", { params: [1] as unknown as Record<string, string> }), ChdbArgumentError);
});

test("Arrow Table formats return apache-arrow Tables (tests/arrow_query.test.ts has the rest)", () => {
  using a = query("SELECT 1 AS x", "ArrowTable");
  using b = query("SELECT 2 AS x", "Dataframe");
  assert.equal(a.getChild("x")!.get(0), 1);
  assert.equal(b.getChild("x")!.get(0), 2);
});

test("json() on a non-JSON result is a ChdbError", () => {
  assert.throws(() => query("SELECT 'x'", "TSV").json(), ChdbError);
});

test("empty SQL returns an empty result", () => {
  assert.equal(query("").text(), "");
});

test("huge inputs: 16 MiB SQL (clear error, then allowed by a setting), parameter and result", () => {
  const big = "x".repeat(16 * 1024 * 1024);
  assert.throws(() => query(`SELECT length('${big}')`), (e: unknown) => {
    return e instanceof ChdbQueryError && e.code === 62 && /max_query_size/.test(e.message);
  });
  using roomy = connect(":memory:", { settings: { max_query_size: 64 * 1024 * 1024 } });
  assert.equal(roomy.query(`SELECT length('${big}')`).text(), `${big.length}\n`);
  assert.equal(query("SELECT length({s:String})", "CSV", { params: { s: big } }).text(), `${big.length}\n`);
  const out = query("SELECT repeat('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy', 524288)", "RawBLOB").bytes();
  assert.equal(out.length, 16 * 1024 * 1024);
  assert.equal(out[out.length - 1], 0x79);
});

test("Result.toString and show", () => {
  const r = query("SELECT 7");
  assert.equal(`${r}`, "7\n");
  assert.equal(r.length, 2);
  assert.equal(r.format, "CSV");
});
