import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { ROOT, runScript, runtime, tempDir } from "./helpers.ts";

const cli = (args: string[], input?: string) => runScript("cli.ts", args, { input });

/** The CLI as a child process of its own (spawnSync cannot send signals or survive an early close of stdin). */
function spawnCli(args: string[], stdin: "ignore" | "pipe" = "ignore") {
  const argv = runtime === "deno" ? ["run", "-A", "cli.ts", ...args] : [runtime === "node" ? "cli.js" : "cli.ts", ...args];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: [stdin, "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (d) => (out.stdout += d));
  child.stderr!.on("data", (d) => (out.stderr += d));
  // Deno's child_process may report an exit code above 128 as the matching signal.
  const statusOf: Record<string, number> = { SIGINT: 130, SIGPIPE: 141 };
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code, signal) => resolve(code ?? (runtime === "deno" && signal ? statusOf[signal] ?? null : null)))
  );
  return { child, out, exited };
}

test("cli: SQL and format, as in the seed", () => {
  const r = cli(["SELECT 1,'abc'", "Pretty"]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /┃ 1 ┃ 'abc' ┃/);
});

test("cli: CSV by default into a pipe", () => {
  const r = cli(["SELECT 1, 'abc'"]);
  assert.equal(r.stdout.toString(), '1,"abc"\n');
  assert.equal(r.status, 0);
});

test("cli: '-' reads the SQL from stdin, and so does no SQL at all with stdin piped", () => {
  const r = cli(["-", "JSONEachRow"], "SELECT 42 AS answer");
  assert.equal(r.stdout.toString(), '{"answer":42}\n');
  assert.equal(r.status, 0);
  const bare = cli([], "SELECT 43 AS answer");
  assert.equal(bare.stdout.toString(), "43\n");
  assert.equal(bare.status, 0, bare.stderr.toString());
});

test("cli: -q/--query with -f/--format/--output-format, in the clickhouse local spelling", () => {
  for (const args of [
    ["-q", "SELECT 7 AS n", "-f", "JSONEachRow"],
    ["--query", "SELECT 7 AS n", "--format", "JSONEachRow"],
    ["--query=SELECT 7 AS n", "--output-format=JSONEachRow"],
    ["--format=JSONEachRow", "-q", "SELECT 7 AS n"],
  ]) {
    const r = cli(args);
    assert.equal(r.stdout.toString(), '{"n":7}\n', JSON.stringify(args));
    assert.equal(r.status, 0);
  }
});

test("cli: several statements run in order, each one's output printed", () => {
  const r = cli(["-q", "CREATE TEMPORARY TABLE t (a Int32); INSERT INTO t VALUES (3), (4); SELECT sum(a) FROM t; SELECT 'x;y'"]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), '7\n"x;y"\n');
});

test("cli: --param_<name> binds {name:Type} placeholders (both spellings)", () => {
  const r = cli(["-q", "SELECT {a:UInt8} + {b:UInt8}, {s:String}", "--param_a=40", "--param_b", "2", "--param_s=it's"]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), '42,"it\'s"\n');
});

test("cli: --queries-file runs the statements of a file", () => {
  const dir = tempDir();
  try {
    const file = join(dir, "q.sql");
    writeFileSync(file, "-- a comment; with a semicolon\nSELECT 1;\n\nSELECT 2 /* ; */ + 3;\n");
    const r = cli(["--queries-file", file]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), "1\n5\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli: -t prints each statement's seconds to stderr, never to stdout", () => {
  const r = cli(["-t", "-q", "SELECT 1; SELECT 2"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.toString(), "1\n2\n");
  assert.match(r.stderr.toString(), /^\d+\.\d{3}\n\d+\.\d{3}\n$/);
});

test("cli: --version and --help exit 0", () => {
  const v = cli(["--version"]);
  assert.equal(v.status, 0, v.stderr.toString());
  assert.match(v.stdout.toString(), /^chdb-ffi \S+, ClickHouse engine \d+\.\d+/);
  const help = cli(["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout.toString(), /^usage: chdb-ffi/);
  assert.match(help.stdout.toString(), /--input-format/);
  assert.equal(cli(["-h"]).status, 0);
});

test("cli: a bad command line prints the usage line and exits 2", () => {
  for (
    const args of [
      ["--bogus", "SELECT 1"],
      ["-q"],
      ["a", "b", "c"],
      ["-q", "SELECT 1", "SELECT 2"],
      ["--param_x"],
      ["--progress", "--no-progress", "-q", "SELECT 1"],
      ["SELECT 1", "CSV", "-f", "TSV"],
    ]
  ) {
    const r = cli(args);
    assert.equal(r.status, 2, `args ${JSON.stringify(args)}: ${r.stderr}`);
    assert.match(r.stderr.toString(), /^usage: chdb-ffi \[options\]/);
    assert.equal(r.stdout.length, 0);
  }
});

test("cli: an engine error is one line with its code and name, exit 1, later statements not run", () => {
  const r = cli(["-q", "SELECT 1; SELEC 2; SELECT 3"]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout.toString(), "1\n");
  const err = r.stderr.toString();
  assert.match(err, /^Code 62 \(SYNTAX_ERROR\): Syntax error: failed at position 7/);
  assert.equal(err.trimEnd().split("\n").length, 1, err);
  assert.doesNotMatch(err, /DB::Exception|Code: 62/);
});

test("cli: a nested engine error keeps one code prefix", () => {
  const r = cli(["-q", "SELECT * FROM table"], "");
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /^Error: stdin is empty/);
  const nested = cli(["-q", "SELECT * FROM file(stdin, CSVWithNames)"], "");
  assert.equal(nested.status, 1);
  const line = nested.stderr.toString();
  assert.match(line, /^Code 636 \(CANNOT_EXTRACT_TABLE_STRUCTURE\): /);
  assert.equal(line.match(/Code/g)?.length, 1, line);
  assert.equal(line.trimEnd().split("\n").length, 1, line);
});

test("cli: piped stdin is the table `table` (inferred columns, --input-format, --structure) and file(stdin)", () => {
  const csv = "a,b\n1,x\n2,y\n3,z\n";
  let r = cli(["-q", "SELECT sum(a), groupArray(b) FROM table", "--input-format", "CSVWithNames", "-f", "TSV"], csv);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), "6\t['x','y','z']\n");
  r = cli(["-q", "SELECT c2, c1 FROM table ORDER BY c1 DESC LIMIT 1"], "1\tp\n2\tq\n");
  assert.equal(r.stdout.toString(), '"q",2\n', r.stderr.toString());
  r = cli(["-q", "SELECT toTypeName(n), n * 2 FROM table", "-S", "n UInt16"], "21\n");
  assert.equal(r.stdout.toString(), '"UInt16",42\n', r.stderr.toString());
  r = cli(["-q", "SELECT count() FROM file(stdin, CSVWithNames)"], csv);
  assert.equal(r.stdout.toString(), "3\n", r.stderr.toString());
});

test("cli: a pipe larger than the inference sample arrives whole and in order", () => {
  const n = 400_000; // ~2.7 MB: several FIFO refills beyond the 1 MiB sample
  const lines = Array.from({ length: n }, (_, i) => `${i}\tv${i}`).join("\n") + "\n";
  const r = cli(["-q", "SELECT count(), sum(c1), countIf(c2 != concat('v', toString(c1))) FROM table"], lines);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), `${n},${(n * (n - 1)) / 2},0\n`);
});

test("cli: a query that stops reading the pipe early ends (the pump stops with the statement)", async () => {
  const lines = Array.from({ length: 400_000 }, (_, i) => `${i}`).join("\n") + "\n";
  const { child, out, exited } = spawnCli(["-q", "SELECT c1 FROM table LIMIT 2"], "pipe");
  child.stdin!.on("error", () => {}); // EPIPE once the CLI stops reading, as `head` gives `seq`
  child.stdin!.end(lines);
  assert.equal(await exited, 0, out.stderr);
  assert.equal(out.stdout, "0\n1\n");
});

test("cli: binary output into a pipe is written unchanged", () => {
  const r = cli(["SELECT number FROM numbers(5)", "Parquet"]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.subarray(0, 4).toString(), "PAR1");
});

test("cli: --progress draws on stderr only; without it a piped stderr gets no bar", () => {
  const sql = "SELECT sleep(0.5), 'done'";
  const r = cli(["--progress", "-q", sql]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), '0,"done"\n');
  assert.match(r.stderr.toString(), /^progress: .*rows/m);
  const quiet = cli(["-q", sql]);
  assert.equal(quiet.stderr.toString(), "");
});

test("cli: --path keeps state between runs", () => {
  const dir = tempDir();
  try {
    assert.equal(cli(["--path", dir, "CREATE TABLE t (a Int32) ENGINE = MergeTree ORDER BY a"]).status, 0);
    assert.equal(cli([`--path=${dir}`, "-q", "INSERT INTO t VALUES (5), (6)"]).status, 0);
    assert.equal(cli(["--path", dir, "SELECT sum(a) FROM t"]).stdout.toString(), "11\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli: SIGINT during a query kills it in the engine and exits 130", async () => {
  // Hours of work sending nothing before its end: only a kill in the engine ends it early.
  const sql = "SELECT count() FROM numbers(1000000000000) WHERE NOT ignore(number) SETTINGS max_threads = 1";
  const { child, out, exited } = spawnCli(["--progress", "-q", sql]);
  // Without the kill the query would run for hours: a guard ends the child and the test fails.
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  // The first progress line says the query runs in the engine.
  const started = new Promise<void>((resolve) => child.stderr!.on("data", () => /progress: /.test(out.stderr) && resolve()));
  await Promise.race([started, exited]);
  child.kill("SIGINT");
  const code = await exited;
  clearTimeout(guard);
  assert.equal(code, 130, out.stderr);
  assert.match(out.stderr, /Query was cancelled\./);
  assert.equal(out.stdout, "");
});

test("cli: a reader that closes stdout early (| head) ends the run quietly with status 141", async () => {
  const { child, out, exited } = spawnCli(["-q", "SELECT number FROM numbers(1000000000000)"]);
  child.stdout!.once("data", () => child.stdout!.destroy());
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await exited;
  clearTimeout(guard);
  assert.equal(code, 141, out.stderr);
  assert.equal(out.stderr, "");
});
