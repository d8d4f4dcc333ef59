import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { runScript, tempDir } from "./helpers.ts";

const cli = (args: string[], input?: string) => runScript("cli.ts", args, { input });

test("cli: SQL and format, as in the seed", () => {
  const r = cli(["SELECT 1,'abc'", "Pretty"]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /┃ 1 ┃ 'abc' ┃/);
});

test("cli: CSV by default", () => {
  const r = cli(["SELECT 1, 'abc'"]);
  assert.equal(r.stdout.toString(), '1,"abc"\n');
  assert.equal(r.status, 0);
});

test("cli: '-' reads the SQL from stdin", () => {
  const r = cli(["-", "JSONEachRow"], "SELECT 42 AS answer");
  assert.equal(r.stdout.toString(), '{"answer":42}\n');
  assert.equal(r.status, 0);
});

test("cli: binary output is written unchanged", () => {
  const r = cli(["SELECT number FROM numbers(5)", "Parquet"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.subarray(0, 4).toString(), "PAR1");
});

test("cli: --path keeps state between runs", () => {
  const dir = tempDir();
  try {
    assert.equal(cli(["--path", dir, "CREATE TABLE t (a Int32) ENGINE = MergeTree ORDER BY a"]).status, 0);
    assert.equal(cli([`--path=${dir}`, "INSERT INTO t VALUES (5), (6)"]).status, 0);
    assert.equal(cli(["--path", dir, "SELECT sum(a) FROM t"]).stdout.toString(), "11\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli: an engine error goes to stderr with exit code 1", () => {
  const r = cli(["SELEC 1"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr.toString(), /Code: 62\. DB::Exception: Syntax error/);
});

test("cli: usage errors exit 1 with the usage text; --help exits 0", () => {
  for (const args of [[], ["--path"], ["--bogus", "SELECT 1"], ["a", "b", "c"]]) {
    const r = cli(args);
    assert.equal(r.status, 1, `args ${JSON.stringify(args)}`);
    assert.match(r.stderr.toString(), /usage: cli\.ts/);
  }
  const help = cli(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout.toString(), /usage: cli\.ts/);
});
