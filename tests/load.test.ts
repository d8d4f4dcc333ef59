import assert from "node:assert/strict";
import { test } from "node:test";
import { fixture, runScript } from "./helpers.ts";

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
