import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect } from "../mod.ts";

// Node runs the suite compiled to JavaScript (scripts/run.mjs): its scripts import the compiled module.
const NODE = !("Deno" in globalThis) && !("Bun" in globalThis);
const MOD = fileURLToPath(new URL(NODE ? "../mod.js" : "../mod.ts", import.meta.url));
const DENO_CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Runs a script (importing the module as `M`, node:process and Buffer) with this runtime; stdin as given. */
function runScript(body: string, input = "") {
  const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-hygiene-"));
  try {
    const file = join(dir, NODE ? "script.mjs" : "script.ts");
    const imports = `import process from "node:process";\nimport { Buffer } from "node:buffer";\n`;
    writeFileSync(file, `${imports}import * as M from ${JSON.stringify(MOD)};\n${body}\n`);
    // The script lives outside the project: with the project's config Deno takes the dependencies from its
    // node_modules (without, from its own cache: README "Deno, a checkout imported from another folder").
    const args = "Deno" in globalThis ? ["run", "-A", "--config", DENO_CONFIG, file] : [file];
    const r = spawnSync(process.execPath, args, { input, encoding: "utf8", timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("hygiene: thousands of connections opened and closed keep memory flat", async () => {
  const rss = () => process.memoryUsage().rss;
  const cycle = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const conn = connect();
      if (i % 2) conn.query("SELECT 1");
      else await conn.queryAsync("SELECT 1");
      conn.close();
    }
  };
  await cycle(200); // warm-up: allocator pools, JIT
  const before = rss();
  await cycle(2000);
  const grown = (rss() - before) / 2 ** 20;
  assert.ok(grown < 48, `RSS grew by ${grown.toFixed(1)} MiB over 2000 connections`);
});

test("hygiene: an INSERT without data never reads the host's stdin", () => {
  const r = runScript(
    `
    const conn = M.connect();
    conn.query("CREATE TABLE IF NOT EXISTS t (a UInt32) ENGINE = Memory");
    for (const sql of ["INSERT INTO t FORMAT CSV", "INSERT INTO t SELECT * FROM input('a UInt32') FORMAT CSV"]) {
      try { conn.query(sql); console.log("no error"); } catch (e) { console.log(e.codeName); }
    }
    console.log("rows", conn.query("SELECT count() FROM t").text().trim());
    conn.close();
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    console.log("stdin", JSON.stringify(Buffer.concat(chunks).toString()));
    `,
    "1\n2\n3\n",
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'NO_DATA_TO_INSERT\nNO_DATA_TO_INSERT\nrows 0\nstdin "1\\n2\\n3\\n"\n');
});

test("hygiene: a script that only awaits queryAsync finishes and exits 0", () => {
  const r = runScript(`
    const r = await M.queryAsync("SELECT sleep(0.3), 'done'", "TSV");
    console.log(r.text().trim());
    const conn = M.connect();
    const pending = conn.queryAsync("SELECT 'after close'", "TSV");
    conn.close();
    console.log((await pending).text().trim());
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "0\tdone\nafter close\n");
});

test("hygiene: in-memory connections closed, then a data path opens, then memory again", () => {
  const r = runScript(`
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    for (let i = 0; i < 3; i++) M.connect().close();
    const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-keeper-"));
    const session = new M.Session(dir);
    session.query("CREATE TABLE kept (a UInt8) ENGINE = MergeTree ORDER BY a");
    session.query("INSERT INTO kept VALUES (7)");
    try { M.connect(); } catch (e) { console.log(e.name); }
    session.close();
    const again = M.connect();
    console.log(again.query("SELECT 1", "TSV").text().trim());
    again.close();
    const reopened = new M.Session(dir);
    console.log(reopened.query("SELECT a FROM kept", "TSV").text().trim());
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "ChdbPathConflictError\n1\n7\n");
});

test("hygiene: a temporary session closed with a query in flight frees its directory after the query", () => {
  const r = runScript(`
    const { existsSync } = await import("node:fs");
    const session = M.Session.temporary();
    session.query("CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a");
    const pending = session.queryAsync("SELECT sleep(0.3), count() FROM t", "TSV");
    session.close();
    console.log("closed, dir kept:", existsSync(session.path));
    console.log((await pending).text().trim());
    await session.closeAsync();
    const next = M.Session.temporary(); // gets the directory back, emptied (src/api/temporary_dir.ts)
    console.log("after, reused empty:", next.path === session.path, next.query("EXISTS TABLE t", "TSV").text().trim());
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "closed, dir kept: true\n0\t0\nafter, reused empty: true 0\n");
});

test("hygiene: process.exit() while an off-thread query runs exits cleanly with its code", () => {
  for (let run = 0; run < 3; run++) {
    const r = runScript(`
      const conn = M.connect();
      conn.queryAsync("SELECT sleep(2)").then(() => console.log("finished"));
      setTimeout(() => { console.log("exiting"); process.exit(3); }, 200);
    `);
    assert.equal(r.stdout, "exiting\n");
    assert.equal(r.status, 3, r.stderr);
  }
});
