import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { libchdbCandidates, locate } from "../ffi/locate.ts";
import { fixture, ROOT, runScript, runtime } from "./helpers.ts";

test("libchdb loads on first use, and a failed load is a ChdbLoadError naming every path tried", () => {
  const r = runScript(fixture("missing_lib.ts"), [], { env: { CHDB_LIB_PATH: "/nonexistent/libchdb.so" } });
  const lines = r.stdout.toString().split("\n");
  assert.equal(lines[0], "imported");
  assert.equal(lines[1], "ChdbLoadError");
  assert.match(lines.slice(2).join("\n"), /libchdb not found\. Tried:\n\s+\/nonexistent\/libchdb\.so\nSet CHDB_LIB_PATH/);
  assert.equal(r.status, 0, r.stderr.toString());
});

test("a shim path that is not a library is a ChdbLoadError", () => {
  const r = runScript(fixture("missing_lib.ts"), [], { env: { CHDB_FFI_SHIM_PATH: "/nonexistent/libchdb_ffi.so" } });
  assert.match(r.stdout.toString(), /ChdbLoadError\n.*the chdb-ffi shim \(libchdb_ffi\) not found\. Tried:\n\s+\/nonexistent\/libchdb_ffi\.so/);
});

test("a libchdb path that is not libchdb is a ChdbLoadError with the dlopen reason", () => {
  const r = runScript(fixture("missing_lib.ts"), [], { env: { CHDB_LIB_PATH: "/etc/hostname" } });
  assert.match(r.stdout.toString(), /ChdbLoadError\n.*cannot open libchdb at \/etc\/hostname/);
});

test("load: under Deno the loader names the missing permission; --allow-ffi and read access to the two libraries suffice", { skip: runtime !== "deno" }, () => {
  const shim = join(ROOT, "zig-out", "lib", "libchdb_ffi.so");
  const lib = locate("libchdb", libchdbCandidates());
  const run = (flags: string[]) => spawnSync(process.execPath, ["run", ...flags, fixture("deno_permissions.ts")], { cwd: ROOT, timeout: 120_000 });
  const noRead = run(["--allow-ffi"]);
  assert.notEqual(noRead.status, 0);
  assert.match(noRead.stderr.toString(), /read permission is missing[^\n]*--allow-read=/);
  const noFfi = run([`--allow-read=${shim},${lib}`]);
  assert.notEqual(noFfi.status, 0);
  assert.match(noFfi.stderr.toString(), /--allow-ffi/);
  // No --allow-env, no --allow-write: nothing reads TMPDIR or writes files without a UDF.
  const narrow = run(["--allow-ffi", `--allow-read=${shim},${lib}`]);
  assert.equal(narrow.status, 0, narrow.stderr.toString());
  assert.match(narrow.stdout.toString(), /RESULT 42/);
});
