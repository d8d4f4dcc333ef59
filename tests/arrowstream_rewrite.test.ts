// A seeded random driver (a fuzzer with a fixed budget) over the `arrowstream('name')` rewrite of
// src/arrow/query_tables.ts: every query naming a registered table has that reference rewritten to a
// fresh engine name, registered for the query and unregistered after it. Random names (quotes,
// backslashes, parentheses, whitespace, non-ASCII) must resolve to their own table; random SQL
// around references (unbalanced quotes, comments, stray backslashes) must give a result or a
// ChdbError, never a crash; afterwards every registered name still resolves once per reference.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { tableFromArrays } from "apache-arrow";
import { ChdbError, connect } from "../mod.ts";

const SEED = 20261202;
const NAMES = 40;
const QUERIES = 250;

/** mulberry32: a small deterministic PRNG, so that a failure replays from SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const NAME_PIECES = ["t", "x", "'", "\\", "(", ")", " ", "\t", "\n", "#", "é", "表", "arrowstream('a')", "--", "/*", "`", '"', "1"];
/** The SQL string literal of a name: backslash escapes for the quote and the backslash. */
const literal = (name: string) => `'${name.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const reference = (name: string) =>
  `${pick(["arrowstream", "ArrowStream", "ARROWSTREAM"])}${pick(["", " ", "\n"])}(${pick(["", " "])}${literal(name)}${pick(["", " "])})`;

const conn = connect();
const names = new Map<string, number>();
after(() => {
  for (const name of names.keys()) conn.unregister(name);
  conn.close();
});

describe(`arrowstream('name') rewrite: seeded random driver (seed ${SEED})`, () => {
  it(`${NAMES} random names each resolve to their own table`, () => {
    while (names.size < NAMES) {
      let name = "";
      const pieces = 1 + Math.floor(random() * 5);
      for (let i = 0; i < pieces; i++) name += pick(NAME_PIECES);
      if (names.has(name)) continue;
      const rows = names.size + 1;
      conn.register(name, tableFromArrays({ v: Int32Array.from({ length: rows }, (_, i) => i) }));
      names.set(name, rows);
    }
    for (const [name, rows] of names) {
      assert.equal(conn.query(`SELECT count() FROM ${reference(name)}`).text().trim(), String(rows), JSON.stringify(name));
    }
  });

  it(`${QUERIES} random queries around references: a result or a ChdbError, and nothing stays registered`, () => {
    const all = [...names.keys()];
    const noise = [" ", "'", "\\", "''", "-- c\n", "/* x */", "(", ")", ",", "1", "'arrowstream(''t'')'", "\"", "`", ";", "SELECT"];
    let results = 0;
    let errors = 0;
    for (let q = 0; q < QUERIES; q++) {
      const a = pick(all);
      const b = pick(all);
      let sql = `SELECT (SELECT count() FROM ${reference(a)}) + (SELECT count() FROM ${reference(b)})`;
      const broken = random() < 0.5;
      if (broken) {
        const at = Math.floor(random() * sql.length);
        sql = sql.slice(0, at) + pick(noise) + pick(noise) + sql.slice(at);
      }
      try {
        const text = conn.query(sql).text().trim();
        results++;
        if (!broken) assert.equal(text, String(names.get(a)! + names.get(b)!), sql);
      } catch (e) {
        assert.ok(e instanceof ChdbError, `${JSON.stringify(sql)}: ${e}`);
        assert.ok(broken, `${JSON.stringify(sql)}: ${e}`);
        errors++;
      }
    }
    assert.ok(results > QUERIES / 3 && errors > 0, `${results} results, ${errors} errors`);
    // Every reference got a fresh registration that was undone: each name resolves again, twice in one query.
    for (const [name, rows] of names) {
      const sql = `SELECT (SELECT count() FROM ${reference(name)}) + (SELECT sum(1) FROM ${reference(name)})`;
      assert.equal(conn.query(sql).text().trim(), String(2 * rows), JSON.stringify(name));
    }
    assert.equal(conn.query("SELECT 1").text().trim(), "1");
  });
});
