import assert from "node:assert/strict";
import { test } from "node:test";
import { readdirSync, rmSync } from "node:fs";
import { ChdbArgumentError, ChdbQueryError, connect, query, udf } from "../mod.ts";
import { fixture, runScript, tempDir } from "./helpers.ts";

test("udf: the chDB example, sum_udf(12, 22) gives 34", () => {
  const name = udf(function sum_udf(lhs: string, rhs: string) {
    return Number(lhs) + Number(rhs);
  });
  assert.equal(name, "sum_udf");
  assert.equal(query("SELECT sum_udf(12, 22)", "TSV").text(), "34\n");
});

test("udf: returnType, many rows, every connection, strings with tabs and newlines", () => {
  udf((a: string, b: string) => `${a}|${b}`, { name: "udf_join" });
  udf((x: string) => Number(x) * 2, { name: "udf_double", returnType: "UInt64" });
  using conn = connect();
  assert.equal(
    conn.query("SELECT sum(udf_double(toString(number))) FROM numbers(1000)", "TSV").text(),
    `${2 * (999 * 1000) / 2}\n`,
  );
  assert.equal(conn.query("SELECT toTypeName(udf_double('1'))", "TSV").text(), "UInt64\n");
  const [[joined]] = conn.prepare("SELECT udf_join({a:String}, {b:String})").values({ a: "tab\there", b: "new\nline\\" });
  assert.equal(joined, "tab\there|new\nline\\");
});

test("udf: an async function that imports a module inside", () => {
  udf(async function udf_sha(x: string) {
    const { createHash } = await import("node:crypto");
    return createHash("sha256").update(x).digest("hex");
  });
  assert.equal(query("SELECT udf_sha('abc') = lower(hex(SHA256('abc')))", "TSV").text(), "1\n");
});

test("udf: a throwing UDF is a clear query error carrying the JS message", () => {
  udf(function udf_boom(x: string) {
    if (x === "2") throw new Error("no twos here");
    return x;
  });
  assert.throws(
    () => query("SELECT udf_boom(toString(number)) FROM numbers(5)"),
    (e: unknown) => e instanceof ChdbQueryError && /udf_boom/.test(e.message) && /no twos here/.test(e.message),
  );
  assert.equal(query("SELECT udf_boom('1')", "TSV").text(), "1\n");
});

test("udf: bad definitions are argument errors", () => {
  assert.throws(() => udf(((x: string) => x) as never, { name: "bad name" }), ChdbArgumentError);
  assert.throws(() => udf("x => x" as never), ChdbArgumentError);
  const holder = {
    method(x: string) {
      return x;
    },
  };
  assert.throws(() => udf(holder.method), /standalone source/);
  assert.throws(() => udf((x: string) => x, { name: "udf_t", returnType: "String; DROP" }), ChdbArgumentError);
});

test("udf: no script directory without udf(); executable() never runs a script planted at a predictable path", () => {
  const tmp = tempDir("chdb-ffi-udf-test-");
  try {
    const r = runScript(fixture("udf_dir.ts"), [], { env: { TMPDIR: tmp } });
    const out = r.stdout.toString();
    assert.equal(r.status, 0, out + r.stderr.toString());
    assert.match(out, /EXECUTABLE refused/);
    assert.match(out, /MARKER false/);
    assert.match(out, /DIRS_BEFORE_UDF 0/);
    assert.deepEqual(readdirSync(tmp).filter((n) => n !== `chdb-ffi-udf-${r.pid}` && n.startsWith("chdb-ffi-udf-")), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("udf: the script directory is made by udf() with mkdtemp (mode 700) and removed at exit", () => {
  const tmp = tempDir("chdb-ffi-udf-test-");
  try {
    const r = runScript(fixture("udf_dir.ts"), ["udf"], { env: { TMPDIR: tmp } });
    const out = r.stdout.toString();
    assert.equal(r.status, 0, out + r.stderr.toString());
    assert.match(out, /UDF a!/);
    assert.match(out, /DIRS_AFTER_UDF 1 700/);
    assert.match(out, /MARKER false/);
    // Only the planted directory is left: ours was removed at exit.
    assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith("chdb-ffi-udf-")).length, 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
