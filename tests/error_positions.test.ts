// A query with a queryId or a signal reaches the engine behind the library's id comment; its
// syntax errors still name the positions of the SQL as written (src/policy/query_policy.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChdbQueryError, connect, type Connection } from "../mod.ts";

const FAILING = [
  "SELEC 1", // at the first token
  "SELECT 1 2", // one line
  "SELECT 'é', (1", // multibyte text before, end of query
  "SELECT 1,\n  2 3", // the second line: (line 2, col N) too
  "SELECT 1 FROM t WHERE x = ) OR ')'", // tokens that are or hold a parenthesis
  "SELECT 1; SELECT 2; SELECT 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", // a later statement counts from its own start
];

/** The message of the syntax error `run` throws (run without an id: no comment in front). */
function plainMessage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ChdbQueryError && e.codeName === "SYNTAX_ERROR", String(e));
    assert.match(e.message, /failed at position \d+/);
    return e.message;
  }
  throw new Error("no error");
}

function messageOf(e: unknown): string {
  assert.ok(e instanceof ChdbQueryError, String(e));
  assert.equal(e.queryId, "pos-1");
  return e.message;
}

test("error positions: query() and queryAsync() with a queryId or signal name the positions of the SQL as written", async () => {
  using conn = connect();
  for (const sql of FAILING) {
    const plain = plainMessage(() => conn.query(sql));
    assert.throws(() => conn.query(sql, "CSV", { queryId: "pos-1" }), (e) => messageOf(e) === plain);
    await assert.rejects(conn.queryAsync(sql, "CSV", { queryId: "pos-1" }), (e) => messageOf(e) === plain);
    const signal = new AbortController().signal;
    await assert.rejects(conn.queryAsync(sql, "CSV", { signal }), (e) => (e as Error).message === plain);
    // per-query limits run SETs around the query: the same positions
    await assert.rejects(conn.queryAsync(sql, "CSV", { queryId: "pos-1", maxRowsRead: 10 }), (e) => messageOf(e) === plain);
  }
});

test("error positions: streams, statements and cursors with an id name the positions of the SQL as written", async () => {
  using conn = connect();
  const signal = new AbortController().signal;
  for (const sql of FAILING) {
    const streamed = plainMessage(() => conn.stream(sql).next()); // streams refuse several statements
    assert.throws(() => conn.stream(sql, "CSV", { signal }).next(), (e) => (e as Error).message === streamed);
    await assert.rejects(async () => {
      for await (const _ of conn.stream(sql, "CSV", { queryId: "pos-1" })) { /* fails before the first chunk */ }
    }, (e) => (e as Error).message === streamed);
    const rows = plainMessage(() => conn.prepare(sql).all());
    await assert.rejects(conn.prepare(sql).allAsync({}, { signal }), (e) => (e as Error).message === rows);
    await assert.rejects(conn.cursor().executeAsync(sql, undefined, { signal }), (e) => (e as Error).message === rows);
  }
});
