// Per-query `settings`: they apply to that query only, the connection's values come back (also
// after a failure), bad names and values are argument errors, the sandbox refuses all but its limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChdbArgumentError, ChdbQueryError, connect } from "../mod.ts";

const THREADS = "SELECT getSetting('max_threads')";

test("settings: apply to their query only, on query, queryAsync, queryArrow(Async) and command", async () => {
  using conn = connect(":memory:", { settings: { max_threads: 2 } });
  assert.equal(conn.query(THREADS, "TSV", { settings: { max_threads: 1 } }).text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
  assert.equal((await conn.queryAsync(THREADS, "TSV", { settings: { max_threads: 1 } })).text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
  const table = conn.queryArrow("SELECT getSetting('max_block_size') AS b", { settings: { max_block_size: 1234 } });
  assert.equal(Number(table.get(0)!.b), 1234);
  const later = await conn.queryArrowAsync("SELECT getSetting('max_block_size') AS b", {
    settings: { max_block_size: 4321 },
  });
  assert.equal(Number(later.get(0)!.b), 4321);
  assert.notEqual(conn.query("SELECT getSetting('max_block_size')", "TSV").text().trim(), "4321");
  // A setting that changes what the query does: the CSV delimiter of the output.
  assert.equal(conn.query("SELECT 1, 2", "CSV", { settings: { format_csv_delimiter: ";" } }).text(), "1;2\n");
  assert.equal(conn.query("SELECT 1, 2", "CSV").text(), "1,2\n");
  conn.command("CREATE TEMPORARY TABLE settings_t (x UInt64)");
  assert.equal(
    conn.command("INSERT INTO settings_t SELECT getSetting('max_threads')", { settings: { max_threads: 1 } })
      .rowsWritten,
    1,
  );
  assert.equal(conn.query("SELECT x FROM settings_t", "TSV").text(), "1\n");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
});

test("settings: the connection's own SET values and unchanged defaults come back", () => {
  using conn = connect();
  const defaultThreads = conn.query(THREADS, "TSV").text().trim();
  assert.equal(conn.query(THREADS, "TSV", { settings: { max_threads: 1 } }).text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), defaultThreads);
  const changed = "SELECT changed FROM system.settings WHERE name = 'max_threads' SETTINGS use_query_cache = 0";
  assert.equal(conn.query(changed, "TSV").text(), "0\n"); // back to DEFAULT, not to a copy of its value
  conn.query("SET max_threads = 3");
  assert.equal(conn.query(THREADS, "TSV", { settings: { max_threads: 1, max_block_size: "999" } }).text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "3");
});

test("settings: the values put back follow a SET queued between calls (off-thread calls run in call order)", async () => {
  using conn = connect(":memory:", { settings: { max_threads: 2 } });
  conn.query(THREADS, "TSV", { settings: { max_threads: 1 } }); // the connection's value is now known (2)
  const calls = [
    conn.queryAsync(THREADS, "TSV", { settings: { max_threads: 1 } }), // planned before the SET, runs before it
    conn.queryAsync("SET max_threads = 3", "TSV"),
    conn.queryAsync(THREADS, "TSV", { settings: { max_threads: 1 } }), // runs after it: puts 3 back
  ];
  const [first, , last] = await Promise.all(calls);
  assert.equal(first.text().trim(), "1");
  assert.equal(last.text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "3");
  assert.equal(conn.query(THREADS, "TSV", { settings: { max_threads: 1 } }).text().trim(), "1");
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "3");
});

test("settings: restored after the query fails, on both paths", async () => {
  using conn = connect(":memory:", { settings: { max_threads: 2 } });
  assert.throws(() => conn.query("SELECT throwIf(1)", "TSV", { settings: { max_threads: 1 } }), ChdbQueryError);
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
  await assert.rejects(conn.queryAsync("SELECT throwIf(1)", "TSV", { settings: { max_threads: 1 } }), ChdbQueryError);
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
  assert.throws(() => conn.queryArrow("SELECT * FROM no_such_table", { settings: { max_threads: 1 } }), ChdbQueryError);
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
});

test("settings: invalid names and values are argument errors, and nothing stays changed", async () => {
  using conn = connect(":memory:", { settings: { max_threads: 2 } });
  const argument = (pattern: RegExp) => (e: unknown) => e instanceof ChdbArgumentError && pattern.test(e.message);
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { max_thread: 1 } }),
    argument(/unknown setting\(s\): max_thread/),
  );
  await assert.rejects(conn.queryAsync(THREADS, "TSV", { settings: { no_such_one: 1 } }), argument(/unknown setting/));
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { "max_threads = 1; DROP": 1 } }),
    argument(/invalid setting name/),
  );
  assert.throws(() => conn.query(THREADS, "TSV", { settings: { max_threads: Number.NaN } }), argument(/finite number/));
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { max_threads: {} as unknown as number } }),
    argument(/max_threads must be/),
  );
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: [] as unknown as Record<string, number> }),
    argument(/settings must be an object/),
  );
  // The engine's own check of the value, named as a bad setting; max_threads given first is not left at 1.
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { max_threads: 1, max_block_size: "abc" } }),
    (e: unknown) => e instanceof ChdbArgumentError && /max_block_size = 'abc'/.test(e.message) && e.code === 27,
  );
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
  // A quote in a value stays inside its string literal.
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { max_threads: "1' , readonly = '1" } }),
    ChdbArgumentError,
  );
  assert.equal(conn.query("SELECT getSetting('readonly')", "TSV").text(), "0\n");
  // readonly per query would forbid the SET that restores the connection.
  assert.throws(
    () => conn.query(THREADS, "TSV", { settings: { readonly: 1 } }),
    argument(/readonly cannot be set per query/),
  );
  // The same engine setting as a limit option and in settings.
  assert.throws(
    () => conn.query(THREADS, "TSV", { timeout: 1000, settings: { max_execution_time: 5 } }),
    argument(/max_execution_time is given twice/),
  );
  assert.equal(conn.query(THREADS, "TSV").text().trim(), "2");
});

test("settings: the sandbox refuses all but its limits", async () => {
  using conn = connect(":memory:", { sandbox: true });
  const refused = (e: unknown) =>
    e instanceof ChdbArgumentError && /refused by the sandbox: per-query setting/.test(e.message);
  assert.throws(() => conn.query("SELECT 1", "TSV", { settings: { max_threads: 1 } }), refused);
  assert.throws(() => conn.query("SELECT 1", "TSV", { settings: { allow_introspection_functions: 1 } }), refused);
  assert.throws(() => conn.query("SELECT 1", "TSV", { settings: { readonly: 0 } }), ChdbArgumentError);
  await assert.rejects(conn.queryAsync("SELECT 1", "TSV", { settings: { allow_ddl: 1 } }), refused);
  const timeout = "SELECT getSetting('max_execution_time')";
  assert.equal(conn.query(timeout, "TSV", { settings: { max_execution_time: 5 } }).text(), "5\n");
  assert.equal(conn.query(timeout, "TSV").text(), "30\n"); // the sandbox's default
});
