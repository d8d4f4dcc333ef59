// queryArrow's type restoring (src/arrow/with_restored_types.ts) learns which columns are DateTime or
// Enum from the types the shim puts in the fields it builds: a result with UInt32/Int8/Int16
// columns and none of those costs no DESCRIBE. The engine's count of queries (system.events
// 'Query') shows what ran.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../mod.ts";

test("queryArrow: no DESCRIBE for UInt32/Int8/Int16 columns the shim built; DateTime and engine exports still described", () => {
  using conn = connect();
  conn.query("DROP TABLE IF EXISTS describe_count"); // :memory: connections share one engine (Bun runs the files in one process)
  conn.query(
    "CREATE TABLE describe_count (id UInt32, small Int8, mid Int16, at DateTime('Asia/Tokyo')) ENGINE = Memory",
  );
  conn.query("INSERT INTO describe_count SELECT number, -number, number * 300, 1709177696 + number FROM numbers(10)");
  const queries = () =>
    Number(
      conn.query("SELECT value FROM system.events WHERE event = 'Query' SETTINGS use_query_cache = 0", "TSV").text(),
    );
  const queriesOf = (run: () => void) => {
    const before = queries();
    run();
    return queries() - before;
  };
  const plain = "SELECT id, small, mid FROM describe_count ORDER BY id";
  conn.queryArrow(plain).close(); // warm
  const bare = queriesOf(() => conn.queryArrow(plain, { restoreTypes: false }).close());
  using table = conn.queryArrow(plain);
  assert.equal(queriesOf(() => conn.queryArrow(plain).close()), bare);
  assert.deepEqual(table.schema.fields.map((f) => String(f.type)), ["Uint32", "Int8", "Int16"]);
  assert.deepEqual(table.schema.fields.map((f) => f.metadata.get("clickhouse.type")), ["UInt32", "Int8", "Int16"]);
  assert.deepEqual({ ...table.get(9)!.toJSON() }, { id: 9, small: -9, mid: 2700 });
  // The engine's own export carries no types: the DESCRIBE runs, and the counter sees it.
  assert.equal(queriesOf(() => conn.queryArrow(plain, { stats: true }).close()), bare + 1);
  // DateTime: the Native format drops the timezone, so it is described, and the zone is right.
  const withTime = "SELECT id, at FROM describe_count ORDER BY id";
  conn.queryArrow(withTime).close(); // warm (the server timezone is read once)
  assert.equal(queriesOf(() => conn.queryArrow(withTime).close()), bare + 1);
  using timed = conn.queryArrow(withTime);
  assert.equal(String(timed.schema.fields[1].type), "Timestamp<SECOND, Asia/Tokyo>");
  assert.equal(Number(timed.get(0)!.at), 1709177696000);
  conn.query("DROP TABLE describe_count");
});
