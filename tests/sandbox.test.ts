// Untrusted SQL: what a sandboxed connection refuses (each forbidden operation), what it still
// runs, and that SQL never ends the host process in any mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ChdbError, ChdbQueryError, configureDefaultConnection, connect, query, Session } from "../mod.ts";
import { fixture, ROOT, runtime, tempDir } from "./helpers.ts";

const dir = tempDir("chdb-ffi-sandbox-");
const allowed = join(dir, "allowed");
mkdirSync(allowed);
writeFileSync(join(allowed, "ok.csv"), "1,a\n2,b\n");
writeFileSync(join(dir, "secret.csv"), "s3cr3t\n");
const outfile = join(dir, "out.csv");

function open() {
  return connect(":memory:", { sandbox: { allowRead: [allowed] } });
}

/** The refusal of `sql` on a sandboxed connection: a ChdbQueryError. */
function refused(sql: string, params?: Record<string, string>): ChdbQueryError {
  using conn = open();
  try {
    conn.query(sql, "CSV", { params });
  } catch (e) {
    assert.ok(e instanceof ChdbQueryError, `${sql}: ${e}`);
    return e;
  }
  assert.fail(`the sandbox ran: ${sql}`);
}

const forbidden: [string, string][] = [
  ["file() outside allowRead", "SELECT * FROM file('/etc/passwd', 'LineAsString')"],
  ["a path as a table name", "SELECT * FROM '/etc/passwd'"],
  ["a file in the working directory as a table name", `SELECT * FROM '${join(dir, "secret.csv")}'`],
  ["file() with a path escaping allowRead", `SELECT * FROM file('${allowed}/../secret.csv', 'CSV')`],
  ["file() with a glob", `SELECT * FROM file('${allowed}/*.csv', 'CSV')`],
  ["the file() function", "SELECT file('/etc/hostname')"],
  ["DESCRIBE of a file", "DESCRIBE TABLE file('/etc/hostname')"],
  ["INTO OUTFILE", `SELECT 1 INTO OUTFILE '${outfile}'`],
  ["INSERT INTO FUNCTION file", `INSERT INTO FUNCTION file('${outfile}', 'CSV') SELECT 1`],
  ["url()", "SELECT * FROM url('http://127.0.0.1:9/x', 'CSV', 'a String')"],
  ["remote()", "SELECT * FROM remote('127.0.0.1:9', system.one)"],
  ["s3()", "SELECT * FROM s3('http://127.0.0.1:9/bucket/x.csv')"],
  ["mysql()", "SELECT * FROM mysql('127.0.0.1:9', 'db', 't', 'u', 'p')"],
  ["postgresql()", "SELECT * FROM postgresql('127.0.0.1:9', 'db', 't', 'u', 'p')"],
  ["executable()", "SELECT * FROM executable('x.sh', 'TSV', 'a String')"],
  ["merge() over system", "SELECT * FROM merge('system', 'one')"],
  ["arrowstream() of another call's engine name", "SELECT * FROM arrowstream('people#1')"],
  ["arrowstream() with a computed name", "SELECT * FROM arrowstream(concat('peo', 'ple'))"],
  ["system.processes", "SELECT query FROM system.processes"],
  ["system tables in a subquery", "SELECT 1 WHERE 1 IN (SELECT number FROM system.numbers LIMIT 1)"],
  ["system tables through an Identifier parameter", "SELECT * FROM {t:Identifier}"],
  ["information_schema", "SELECT * FROM information_schema.tables"],
  ["SHOW PROCESSLIST", "SHOW PROCESSLIST"],
  ["KILL QUERY", "KILL QUERY WHERE query_id = 'x' ASYNC"],
  ["SYSTEM", "SYSTEM FLUSH LOGS"],
  ["SYSTEM SHUTDOWN", "SYSTEM SHUTDOWN"],
  ["SET", "SET max_execution_time = 0"],
  ["a SETTINGS clause", "SELECT 1 SETTINGS max_memory_usage = 0"],
  ["a SETTINGS clause in a subquery", "SELECT * FROM (SELECT 1 SETTINGS max_threads = 64)"],
  ["USE", "USE system"],
  ["two statements", "SELECT 1; SELECT 2"],
  ["a text whose tail does not parse", "SELECT 1; KILL QUERY WHERE 1 ASYNC; !!!"],
  ["CREATE TABLE", "CREATE TABLE sbx (a Int8) ENGINE = Memory"],
  ["CREATE TEMPORARY TABLE", "CREATE TEMPORARY TABLE sbx (a Int8)"],
  ["INSERT", "INSERT INTO sandbox_data VALUES (3)"],
  ["DROP", "DROP TABLE sandbox_data"],
  ["CREATE FUNCTION", "CREATE FUNCTION sbx_f AS x -> x"],
];

for (const [what, sql] of forbidden) {
  test(`sandbox refuses ${what}`, () => {
    const e = refused(sql, sql.includes("{t:Identifier}") ? { t: "system.processes" } : undefined);
    assert.ok(!String(e.message).includes("s3cr3t"));
  });
}

test("sandbox: nothing was written by the refused statements", () => {
  assert.equal(existsSync(outfile), false);
});

test("sandbox runs SELECTs over its data, registered JS tables and files under allowRead", () => {
  using full = connect();
  full.query("CREATE TABLE IF NOT EXISTS sandbox_data (x Int32) ENGINE = Memory");
  full.query("TRUNCATE TABLE sandbox_data");
  full.query("INSERT INTO sandbox_data VALUES (1), (2)");
  using conn = open();
  assert.equal(conn.query("SELECT sum(x) FROM sandbox_data").text(), "3\n");
  assert.equal(conn.query("WITH t AS (SELECT number AS n FROM numbers(5)) SELECT sum(n) FROM t").text(), "10\n");
  assert.equal(conn.query("SELECT {n:UInt8} + 1", "CSV", { params: { n: 41 } }).text(), "42\n");
  conn.register("people", [{ id: 1, name: "tom" }, { id: 2, name: "jerry" }]);
  assert.equal(conn.query("SELECT name FROM arrowstream('people') ORDER BY id", "CSV").text(), '"tom"\n"jerry"\n');
  assert.equal(conn.query(`SELECT count() FROM file('${join(allowed, "ok.csv")}', 'CSV')`).text(), "2\n");
  assert.equal(conn.queryArrow("SELECT number FROM numbers(3)").numRows, 3);
  assert.equal(conn.query("DESCRIBE TABLE sandbox_data", "TSV").text().split("\t")[0], "x");
  const data = { a: [1, 2, 3], b: ["x", "y", "x"] };
  using tagged = conn.sql`SELECT sum(a) AS s FROM ${data} WHERE a > ${1}`;
  assert.equal(tagged.getChild("s")?.get(0), 5n);
  assert.deepEqual(conn.prepare("SELECT number FROM numbers({n:UInt8})").values({ n: 2 }), [[0n], [1n]]);
  let rows = 0;
  for (const batch of conn.streamArrow("SELECT number FROM numbers(10)")) rows += batch.numRows;
  assert.equal(rows, 10);
});

test("sandbox applies to the async, Arrow, cursor, statement and stream paths", async () => {
  using conn = open();
  const sql = "SELECT query FROM system.processes";
  await assert.rejects(conn.queryAsync(sql), /refused by the sandbox/);
  assert.throws(() => conn.queryArrow(sql), /refused by the sandbox/);
  await assert.rejects(conn.queryArrowAsync(sql), /refused by the sandbox/);
  assert.throws(() => conn.cursor().execute(sql), /refused by the sandbox/);
  assert.throws(() => conn.prepare(sql).all(), /refused by the sandbox/);
  assert.throws(() => conn.stream(sql), /refused by the sandbox/);
  assert.throws(() => conn.streamArrow(sql), /refused by the sandbox/);
  assert.throws(() => conn.insertStream("INSERT INTO sandbox_data"), ChdbError);
});

test("sandbox: the engine refuses to change its settings even where our check would not look", () => {
  using conn = open();
  // readonly=2 is set at connect; the engine refuses to change `readonly` itself.
  assert.equal(conn.query("SELECT getSetting('readonly'), getSetting('allow_ddl')", "CSV").text(), "2,false\n");
});

test("sandbox on the default connection of query()", () => {
  configureDefaultConnection({ sandbox: true });
  try {
    assert.throws(() => query("SELECT * FROM file('/etc/passwd', 'LineAsString')"), /refused by the sandbox/);
    assert.equal(query("SELECT 1").text(), "1\n");
  } finally {
    configureDefaultConnection({});
  }
  assert.equal(query("SELECT getSetting('readonly')").text(), "0\n");
});

test("sandbox option on Session and its validation", () => {
  using sess = new Session(undefined, { sandbox: true });
  assert.throws(() => sess.query("SELECT * FROM file('/etc/passwd')"), /refused by the sandbox/);
  assert.throws(() => connect(":memory:", { sandbox: "yes" as unknown as boolean }), ChdbError);
  assert.throws(() => connect(":memory:", { sandbox: { allowRead: [join(dir, "missing")] } }), Error);
});

// SYSTEM SHUTDOWN sends SIGTERM to the whole process group: the child runs in a group of its own.
function runDetached(file: string): Promise<{ status: number | null; signal: string | null; out: string }> {
  const argv = runtime === "deno" ? ["run", "-A", file] : [runtime === "node" ? file.replace(/\.ts$/, ".js") : file];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => out += d);
    child.on("exit", (status, signal) => resolve({ status, signal, out }));
  });
}

test("SYSTEM SHUTDOWN and SYSTEM KILL in default mode are refused and the process goes on", async () => {
  const r = await runDetached(fixture("system_shutdown.ts"));
  assert.equal(r.signal, null, r.out);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /REFUSED SYSTEM SHUTDOWN true 497/);
  assert.match(r.out, /REFUSED SYSTEM KILL true 497/);
  assert.match(r.out, /REFUSED readonly/);
  assert.match(r.out, /ALIVE 1/);
});

test("cleanup", () => {
  rmSync(dir, { recursive: true, force: true });
});
