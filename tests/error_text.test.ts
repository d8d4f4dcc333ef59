// Error texts a new user meets (issue 13).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbArgumentError, ChdbQueryError, connect, query, queryAsync } from "../mod.ts";

test("error text: a wrong format names the engine's error once", () => {
  assert.throws(() => query("SELECT 1", "JSONEachRowz" as string), (e: unknown) => {
    assert.ok(e instanceof ChdbQueryError);
    assert.equal(e.code, 73);
    assert.equal(e.codeName, "UNKNOWN_FORMAT");
    assert.equal(e.message.match(/Code: 73/g)?.length, 1, e.message);
    assert.equal(e.message.match(/UNKNOWN_FORMAT/g)?.length, 1, e.message);
    assert.match(e.message, /^Code: 73\. DB::Exception: Unknown format JSONEachRowz\. Maybe you meant: .*JSONEachRow/);
    return true;
  });
  // a plain engine error is untouched
  assert.throws(() => query("SELEC 1"), (e: unknown) => e instanceof ChdbQueryError && e.codeName === "SYNTAX_ERROR");
});

test("error text: queryAsync(sql, { format }) (chdb-node's habit) says where the format goes", async () => {
  await assert.rejects(queryAsync("SELECT 1", { format: "JSON" } as never), (e: unknown) => {
    return e instanceof ChdbArgumentError && e.message.includes('query(sql, "JSON", { params })');
  });
  using conn = connect();
  assert.throws(() => conn.query("SELECT 1", 42 as never), /format must be a non-empty string .* got number/);
});

test("error text: SQL with its own FORMAT clause: the Result says the format it is really in", () => {
  const r = query("SELECT 1 AS x FORMAT JSONEachRow", "CSV");
  assert.equal(r.format, "JSONEachRow");
  assert.deepEqual(r.json(), [{ x: 1 }]);
  assert.equal(query("SELECT 2 FORMAT TSV;", "JSON").format, "TSV");
  assert.equal(query("SELECT 'FORMAT JSON'", "CSV").format, "CSV"); // inside a string: not a clause
});
