// The format argument's type (issue 13): a misspelt format literal is a type error, a string value
// passes. A `// @ts-expect-error` line cannot fail at run time, so this test type-checks a small
// program with `deno check` and asserts the errors it reports: one per misspelt literal, none
// elsewhere. Deno only (the type checker comes with it); the types are the same on every runtime.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtime, tempDir } from "./helpers.ts";

const program = (mod: string) => `
import { connect, type Format, query, queryAsync } from ${JSON.stringify(mod)};
const conn = connect();
query("SELECT 1", "JSONEachRow");
query("SELECT 1");
const chosen: string = "Pretty" + "";
query("SELECT 1", chosen);
const table = query("SELECT 1", "ArrowTable");
const named: Format = "CSVWithNames";
conn.stream("SELECT 1", named);
await queryAsync("SELECT 1", "Parquet");
conn.insertStream("INSERT INTO t", "TSV");
query("SELECT 1", "JSONEachRowz"); // line 13
await queryAsync("SELECT 1", "Parquett"); // line 14
conn.stream("SELECT 1", "CVS"); // line 15
conn.insertStream("INSERT INTO t", "tsv"); // line 16
export { table };
`;

test("format type: a misspelt format literal fails deno check, a string value and the known names pass", {
  skip: runtime !== "deno" ? "runs deno check: Deno only" : false,
}, () => {
  const dir = tempDir("chdb-ffi-format-type-");
  const file = join(dir, "formats.ts");
  writeFileSync(file, program(join(ROOT, "mod.ts")));
  let r;
  try {
    r = spawnSync(process.execPath, ["check", "--config", join(ROOT, "deno.json"), file], { cwd: ROOT, timeout: 120_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // deno check colours its output and reports each error's position as file:line:column.
  const out = (r.stdout.toString() + r.stderr.toString()).replace(/\x1b\[[0-9;]*m/g, "");
  assert.notEqual(r.status, 0, out);
  const lines = [...out.matchAll(/formats\.ts:(\d+):\d+/g)].map((m) => Number(m[1]));
  assert.deepEqual([...new Set(lines)].sort((a, b) => a - b), [13, 14, 15, 16], out);
  assert.match(out, /Found 4 errors/, out);
  assert.match(out, /"JSONEachRowz"/);
});
