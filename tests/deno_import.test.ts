// A script in a folder with no deno.json or package.json imports a checkout's mod.ts and clickhouse.ts
// by path, and Deno runs and type-checks it there (issue 13; README "Install from npm"). Deno resolves
// bare imports only with the configuration of the folder it runs in: the sources' own dependencies
// must resolve wherever they are imported from. Runs the node_modules deno on all three runtimes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "./helpers.ts";
import { CHECKOUT } from "./sources.ts";

const deno = join(CHECKOUT, "node_modules", ".bin", "deno");

const script = `import { connect, query } from ${JSON.stringify(join(CHECKOUT, "mod.ts"))};
import { createClient } from ${JSON.stringify(join(CHECKOUT, "clickhouse.ts"))};

const text = query("SELECT 41 + 1 AS x", "JSONEachRow").text().trim();
using conn = connect();
using table = conn.queryArrow("SELECT 42 AS x, 'a' AS s");
const row = table.get(0)?.toJSON();
const client = createClient({ url: "chdb://memory" });
const rows = await (await client.query({ query: "SELECT 43 AS x", format: "JSONEachRow" })).json();
await client.close();
console.log(JSON.stringify({ text, row: { x: row?.x, s: row?.s }, rows }));
`;

test("deno import: a script in an unconfigured folder runs and type-checks a checkout's mod.ts and clickhouse.ts", () => {
  const dir = tempDir("chdb-ffi-import-");
  try {
    writeFileSync(join(dir, "script.ts"), script);
    for (const args of [["run", "-A", "script.ts"], ["check", "script.ts"]]) {
      // First use may fetch the dependencies into Deno's cache from the npm registry.
      const r = spawnSync(deno, args, { cwd: dir, timeout: 240_000, encoding: "utf8" });
      assert.equal(r.status, 0, `deno ${args.join(" ")}: ${r.error?.message ?? ""}${r.stderr}`);
      if (args[0] === "run") {
        assert.equal(r.stdout, '{"text":"{\\"x\\":42}","row":{"x":42,"s":"a"},"rows":[{"x":43}]}\n');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
