// A script in a folder of its own imports a checkout's mod.ts (issue 13; README "Install from npm").
// Deno resolves bare imports (apache-arrow) with the configuration of the folder it runs in, so the
// script is run with the checkout's deno.json. Deno only: Node and Bun resolve node_modules upward
// from the imported file by themselves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtime, tempDir } from "./helpers.ts";

test("deno import: a script in another folder runs a checkout's mod.ts with --config <checkout>/deno.json", {
  skip: runtime !== "deno" ? "Deno's module resolution: Deno only" : false,
}, () => {
  const dir = tempDir("chdb-ffi-import-");
  try {
    const script = join(dir, "script.ts");
    writeFileSync(
      script,
      `import { query } from ${JSON.stringify(join(ROOT, "mod.ts"))};\n` +
        `using t = query("SELECT 40 + 2 AS x", "ArrowTable");\n` +
        `console.log(query("SELECT 40 + 2 AS x", "JSONEachRow").text().trim(), t.numRows);\n`,
    );
    const r = spawnSync(process.execPath, ["run", "-A", "--config", join(ROOT, "deno.json"), script], {
      cwd: dir,
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), '{"x":42} 1\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
