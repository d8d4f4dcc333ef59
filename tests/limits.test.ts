// Resource limits per connection and per query, enforced by the engine; the sandbox's defaults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChdbArgumentError, ChdbQueryError, connect } from "../mod.ts";

const MEMORY_BOMB = "SELECT length(groupArray(number)) FROM numbers(2000000000) SETTINGS max_threads = 1";

function failsWith(code: number) {
  return (e: unknown) => e instanceof ChdbQueryError && e.code === code;
}

test("limits: maxMemory per connection and per query (MEMORY_LIMIT_EXCEEDED)", () => {
  using limited = connect(":memory:", { maxMemory: 50_000_000 });
  assert.throws(() => limited.query(MEMORY_BOMB), failsWith(241));
  using conn = connect();
  assert.throws(() => conn.query(MEMORY_BOMB, "CSV", { maxMemory: 50_000_000 }), failsWith(241));
  assert.equal(conn.query("SELECT getSetting('max_memory_usage')").text(), "0\n");
});

test("limits: maxRowsRead per connection and per query (TOO_MANY_ROWS)", async () => {
  using limited = connect(":memory:", { maxRowsRead: 1000 });
  assert.throws(() => limited.query("SELECT count() FROM numbers(100000)"), failsWith(158));
  assert.equal(limited.query("SELECT count() FROM numbers(100)").text(), "100\n");
  using conn = connect();
  await assert.rejects(conn.queryAsync("SELECT sum(number) FROM numbers(100000)", "CSV", { maxRowsRead: 1000 }), failsWith(158));
  assert.equal(conn.query("SELECT sum(number) FROM numbers(100000)").text(), "4999950000\n");
});

test("limits: maxResultBytes per connection and per query", () => {
  using limited = connect(":memory:", { maxResultBytes: 10_000 });
  assert.throws(() => limited.query("SELECT number FROM numbers(1000000)"), ChdbQueryError);
  using conn = connect();
  assert.throws(() => conn.queryArrow("SELECT number FROM numbers(1000000)", { maxResultBytes: 10_000 }), ChdbQueryError);
  assert.equal(conn.queryArrow("SELECT number FROM numbers(1000000)").numRows, 1000000);
});

test("limits: a per-query limit may be higher than the connection's", () => {
  using limited = connect(":memory:", { maxRowsRead: 1000 });
  assert.equal(limited.query("SELECT count() FROM numbers(100000)", "CSV", { maxRowsRead: 0 }).text(), "100000\n");
  assert.throws(() => limited.query("SELECT count() FROM numbers(100000)"), failsWith(158));
});

test("limits: the sandbox has defaults, and a memory bomb fails fast there", () => {
  using conn = connect(":memory:", { sandbox: true });
  const settings = conn.query(
    "SELECT getSetting('max_execution_time'), getSetting('max_memory_usage'), getSetting('max_rows_to_read'), getSetting('max_result_bytes')",
  ).text();
  assert.equal(settings, "30,1073741824,1000000000,268435456\n");
  assert.throws(() => conn.query("SELECT length(groupArray(number)) FROM numbers(900000000)"), failsWith(241));
  using custom = connect(":memory:", { sandbox: true, timeout: 1500, maxMemory: 10_000_000 });
  assert.equal(custom.query("SELECT getSetting('max_execution_time'), getSetting('max_memory_usage')").text(), "1.5,10000000\n");
});

test("limits: outside the sandbox there are none by default", () => {
  using conn = connect();
  assert.equal(
    conn.query("SELECT getSetting('max_execution_time'), getSetting('max_memory_usage'), getSetting('max_rows_to_read'), getSetting('max_result_bytes')").text(),
    "0,0,0,0\n",
  );
});

test("limits: invalid values are argument errors", () => {
  assert.throws(() => connect(":memory:", { timeout: -1 }), ChdbArgumentError);
  assert.throws(() => connect(":memory:", { maxMemory: 1.5 }), ChdbArgumentError);
  using conn = connect();
  assert.throws(() => conn.query("SELECT 1", "CSV", { maxRowsRead: "10" as unknown as number }), ChdbArgumentError);
});
