// Runs @clickhouse/client's own test suite (the snapshot in ../shared/peer/clickhouse-js, or
// CLICKHOUSE_JS_SUITE) with an embedded backend injected through its setup hook
// (globalThis.environmentSpecificCreateClient), on Node, Bun (`bun --bun`) and Deno.
//   node scripts/clickhouse_suite.mjs [--backend chdb-ffi|chdb-node] [--runtime node,bun,deno]
//                                     [--mode integration] [--no-skip]
// The tree is copied once into $TMPDIR/chdb-ffi-clickhouse-suite-<lockfile hash> and `npm ci`
// installs its pinned test dependencies there (~45 s, later runs reuse it). This checkout is built
// into that tree's node_modules/chdb-ffi (tsc, a few seconds). The skip list,
// scripts/clickhouse_suite_skip.txt, excludes whole files (one reason each) unless --no-skip.
// Prints per runtime `clickhouse-js suite (<backend>, <runtime>): N passed, N failed, N skipped
// (F files skipped)` and exits non-zero on any failure.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.env.CLICKHOUSE_JS_SUITE ?? join(root, "..", "shared", "peer", "clickhouse-js");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const backend = option("--backend", "chdb-ffi");
const runtimes = option("--runtime", "node,bun,deno").split(",");
const mode = option("--mode", "integration");
const useSkipList = !args.includes("--no-skip");

function run(command, argv, opts = {}) {
  const r = spawnSync(command, argv, { stdio: "inherit", encoding: "utf8", ...opts });
  if (r.error) throw r.error;
  return r;
}

/** The copied tree with its dependencies installed (reused while the lock file is the same). */
function preparedTree() {
  const lock = readFileSync(join(source, "package-lock.json"));
  // One tree per checkout (this checkout is installed into it) and lock file (its dependencies).
  const key = createHash("sha256").update(lock).update(root).digest("hex").slice(0, 12);
  const tree = join(tmpdir(), `chdb-ffi-clickhouse-suite-${key}`);
  if (existsSync(join(tree, "node_modules", ".ready"))) return tree;
  rmSync(tree, { recursive: true, force: true });
  cpSync(source, tree, { recursive: true, filter: (p) => !p.includes("/node_modules") });
  run("chmod", ["-R", "u+w", tree]);
  restoreSymlinks(tree);
  console.log(`$ npm ci   (in ${tree})`);
  if (run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: tree }).status !== 0) {
    throw new Error("npm ci failed in the suite's tree");
  }
  writeFileSync(join(tree, "node_modules", ".ready"), "");
  return tree;
}

/**
 * The snapshot stores upstream's symlinks (packages/client-node/src/common ->
 * ../../client-common/src) as small files holding the target: make them links again.
 */
function restoreSymlinks(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") restoreSymlinks(path);
      continue;
    }
    if (!entry.isFile() || statSync(path).size > 200) continue;
    const target = readFileSync(path, "utf8").trim();
    if (target.includes("\n") || !target.startsWith(".")) continue;
    const resolved = join(dirname(path), target);
    if (existsSync(resolved) && statSync(resolved).isDirectory()) {
      rmSync(path);
      symlinkSync(target, path);
    }
  }
}

/** This checkout, compiled, as the package chdb-ffi inside the tree (loaded natively, not by vite). */
function installThisCheckout(tree) {
  const out = join(tree, "node_modules", "chdb-ffi");
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, "node_modules", ".bin", "tsc");
  if (run(tsc, ["-p", join(root, "tsconfig.npm.json"), "--outDir", out, "--declaration", "false"]).status !== 0) {
    throw new Error("tsc failed");
  }
  writeFileSync(join(out, "package.json"), JSON.stringify({
    name: "chdb-ffi",
    type: "module",
    exports: { ".": "./mod.js", "./clickhouse": "./clickhouse.js" },
  }));
  symlinkSync(join(root, "node_modules"), join(out, "node_modules")); // apache-arrow, koffi, libchdb, the client
  const chdbNode = join(tree, "node_modules", "chdb");
  rmSync(chdbNode, { recursive: true, force: true });
  symlinkSync(join(root, "node_modules", "chdb"), chdbNode);
}

const setup = `// @ts-nocheck
// Written by chdb-ffi's scripts/clickhouse_suite.mjs: every test client gets an embedded backend.
import { createClient } from "@clickhouse/client-node";
import * as common from "@clickhouse/client-common";

const backend = process.env.CHDB_SUITE_BACKEND;
let makeConnection;
if (backend === "chdb-ffi") {
  const { createConnection } = await import("chdb-ffi/clickhouse");
  makeConnection = (config) => createConnection({ database: config.database, request_timeout: config.request_timeout, common });
} else if (backend === "chdb-node") {
  const { createChdbConnection } = await import("chdb/connection");
  makeConnection = () => createChdbConnection({ path: ":memory:" });
} else {
  throw new Error("CHDB_SUITE_BACKEND must be chdb-ffi or chdb-node");
}
globalThis.environmentSpecificCreateClient = (config = {}) =>
  createClient({ ...config, connection: makeConnection(config) });
`;

function skipList() {
  if (!useSkipList) return [];
  return readFileSync(join(root, "scripts", "clickhouse_suite_skip.txt"), "utf8").split("\n")
    .map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [file, reason] = line.split(/\s+#\s+/);
      if (!reason) throw new Error(`skip list entry without a reason: ${line}`);
      return file.trim();
    });
}

const tree = preparedTree();
installThisCheckout(tree);
writeFileSync(join(tree, "packages", "client-node", "vitest.setup.ts"), setup);
const skipped = skipList();
const vitest = join(tree, "node_modules", "vitest", "vitest.mjs");
const bin = (name) => join(root, "node_modules", ".bin", name);
const commands = {
  node: ["node", [vitest]],
  bun: [bin("bun"), ["--bun", vitest]],
  deno: [bin("deno"), ["run", "-A", vitest]],
};

let allGreen = true;
const lines = [];
for (const runtime of runtimes) {
  const report = join(tree, `report-${backend}-${runtime}.json`);
  rmSync(report, { force: true });
  const [command, first] = commands[runtime];
  const started = Date.now();
  const r = run(command, [
    ...first,
    "run",
    "--reporter=dot",
    "--reporter=json",
    `--outputFile.json=${report}`,
    "--maxWorkers=2",
    ...skipped.flatMap((file) => ["--exclude", file]),
  ], {
    cwd: join(tree, "packages", "client-node"),
    env: {
      ...process.env,
      TEST_MODE: mode,
      TZ: "UTC",
      CHDB_SUITE_BACKEND: backend,
      CHDB_FFI_SHIM_PATH: process.env.CHDB_FFI_SHIM_PATH ?? join(root, "zig-out", "lib", "libchdb_ffi.so"),
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  let line;
  if (!existsSync(report)) {
    line = `clickhouse-js suite (${backend}, ${runtime}): 0 passed, 1 failed, 0 skipped (vitest exited ${r.status} without a report)`;
    allGreen = false;
  } else {
    const j = JSON.parse(readFileSync(report, "utf8"));
    const skippedTests = j.numPendingTests + (j.numTodoTests ?? 0);
    // a file that fails outside its tests (import error, a failing beforeAll: its tests are then
    // reported skipped) counts as one failure
    j.numFailedTests += j.testResults.filter((f) =>
      f.status === "failed" && !f.assertionResults.some((t) => t.status === "failed")
    ).length;
    line = `clickhouse-js suite (${backend}, ${runtime}): ${j.numPassedTests} passed, ${j.numFailedTests} failed, ` +
      `${skippedTests} skipped (${skipped.length} files skipped, ${j.testResults.length} files run, ${seconds} s)`;
    if (j.numFailedTests > 0 || r.status !== 0) allGreen = false;
    for (const file of j.testResults) {
      for (const t of file.assertionResults) {
        if (t.status === "failed") console.log(`FAILED ${file.name.replace(tree + "/", "")} > ${t.fullName}`);
      }
      if (file.status === "failed" && !file.assertionResults.some((t) => t.status === "failed")) {
        console.log(`FAILED ${file.name.replace(tree + "/", "")}: ${file.message?.split("\n")[0] || "outside its tests (a hook)"}`);
      }
    }
  }
  console.log(line);
  lines.push(line);
}
console.log(lines.join("\n"));
process.exit(allGreen ? 0 : 1);
