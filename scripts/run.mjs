// Runs a job on the runtimes and sums up: `node scripts/run.mjs test|demo|bench [deno|bun|node]`.
// The test job ends with the line `N passed, N failed` over all runtimes. Node cannot run
// TypeScript: its test run compiles the suite with tsc first (tsconfig.node-tests.json).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const [job, only] = process.argv.slice(2);
// Benchmarks default to Deno and Bun: most call libchdb directly, which Node's FFI cannot (see ffi/node.ts).
const runtimes = only ? [only] : job === "bench" ? ["deno", "bun"] : ["deno", "bun", "node"];

// Where the compiled suite runs; it finds this checkout's shim through the environment.
const nodeTests = join(root, "dist", "node-tests");
const nodeEnv = { ...process.env, CHDB_FFI_SHIM_PATH: join(root, "zig-out", "lib", "libchdb_ffi.so") };

function run(command, args, { capture = false, cwd = root, env = process.env } = {}) {
  console.log(`\n$ ${[command, ...args].map((a) => a.replace(root + "/", "")).join(" ")}`);
  const r = spawnSync(command, args, {
    cwd,
    env,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (capture) {
    process.stdout.write(r.stdout ?? "");
    process.stderr.write(r.stderr ?? "");
  }
  return r;
}

/** Compiles the package, tests and benchmarks to JavaScript for Node (into dist/node-tests). */
function compileForNode() {
  rmSync(nodeTests, { recursive: true, force: true });
  return run(bin("tsc"), ["-p", "tsconfig.node-tests.json", "--outDir", nodeTests]).status === 0;
}

function count(text, pattern) {
  const matches = [...text.matchAll(pattern)];
  return matches.length ? Number(matches[matches.length - 1][1]) : 0;
}

const jobs = {
  test() {
    let passed = 0;
    let failed = 0;
    let ok = true;
    const check = run(bin("deno"), ["check", "mod.ts", "cli.ts", "demo.ts", "tests/", "bench/", "scripts/build_npm.ts"]);
    if (check.status !== 0) {
      failed++;
      ok = false;
    }
    // The public API stays documented (JSDoc on every export, no unexported type in a signature)
    // and publishable to JSR without --allow-slow-types (0.2 s and ~9 s).
    for (const args of [["doc", "--lint", "mod.ts"], ["publish", "--dry-run", "--allow-dirty"]]) {
      if (run(bin("deno"), args).status !== 0) {
        failed++;
        ok = false;
      }
    }
    for (const runtime of runtimes) {
      if (runtime === "node" && !compileForNode()) {
        console.log("node: the suite did not compile");
        failed++;
        ok = false;
        continue;
      }
      const r = runtime === "deno"
        ? run(bin("deno"), ["test", "-A", "tests/"], { capture: true })
        : runtime === "bun"
        ? run(bin("bun"), ["test", "--timeout", "300000", "./tests/"], { capture: true })
        : run("node", ["--test", "tests/"], { capture: true, cwd: nodeTests, env: nodeEnv });
      const out = `${r.stdout}\n${r.stderr}`;
      const [passPattern, failPattern] = {
        deno: [/(\d+) passed/g, /(\d+) failed/g],
        bun: [/^\s*(\d+) pass$/gm, /^\s*(\d+) fail$/gm],
        node: [/^# pass (\d+)$/gm, /^# fail (\d+)$/gm],
      }[runtime];
      const p = count(out, passPattern);
      const f = count(out, failPattern);
      console.log(`${runtime}: ${p} passed, ${f} failed (exit ${r.status})`);
      passed += p;
      failed += f;
      if (r.status !== 0 || p === 0) ok = false;
      if (r.status !== 0 && f === 0) failed++; // the runner itself failed: never report green
    }
    if (!only) {
      // @clickhouse/client's own integration suite on chdb-ffi/clickhouse, on Deno, Bun and Node
      // (issue 12: scripts/clickhouse_suite.mjs; 35-50 s a runtime, +45 s for its npm ci once).
      if (!existsSync("/usr/sbin/clickhouse-server")) {
        console.log("cluster test: /usr/sbin/clickhouse-server is not installed, tests/clickhouse_events.test.ts skipped its cluster part");
      }
      const suite = run("node", ["scripts/clickhouse_suite.mjs", "--runtime", "deno,bun,node"], { capture: true });
      const lines = [...`${suite.stdout}`.matchAll(/^clickhouse-js suite \(chdb-ffi, \w+\): (\d+) passed, (\d+) failed/gm)];
      const suitePassed = lines.slice(-3).reduce((n, m) => n + Number(m[1]), 0);
      const suiteFailed = lines.slice(-3).reduce((n, m) => n + Number(m[2]), 0);
      console.log(`clickhouse-js suite: ${suitePassed} passed, ${suiteFailed} failed (exit ${suite.status})`);
      passed += suitePassed;
      failed += suiteFailed;
      if (suite.status !== 0 || suitePassed === 0) ok = false;
      if (suite.status !== 0 && suiteFailed === 0) failed++;

      // The npm package as users get it: packed, installed with npm, run on all three runtimes.
      const smoke = run("node", ["scripts/smoke_npm.mjs"], { capture: true });
      const out = `${smoke.stdout}\n${smoke.stderr}`;
      const p = count(out, /^(\d+) passed, \d+ failed$/gm);
      const f = count(out, /^\d+ passed, (\d+) failed$/gm);
      console.log(`npm package smoke test: ${p} passed, ${f} failed (exit ${smoke.status})`);
      passed += p;
      failed += f;
      if (smoke.status !== 0 || p === 0) ok = false;
      if (smoke.status !== 0 && f === 0) failed++;
    }
    console.log(`${passed} passed, ${failed} failed`);
    return ok && failed === 0;
  },
  demo() {
    return runtimes.every((runtime) => {
      if (runtime === "deno") return run(bin("deno"), ["run", "-A", "demo.ts"]).status === 0;
      if (runtime === "bun") return run(bin("bun"), ["demo.ts"]).status === 0;
      return compileForNode() && run("node", [join(nodeTests, "demo.js")], { env: nodeEnv }).status === 0;
    });
  },
  bench() {
    const file = process.argv[4] ?? "bench/tiny_query.ts";
    return runtimes.every((runtime) => {
      if (runtime === "deno") return run(bin("deno"), ["run", "-A", file]).status === 0;
      if (runtime === "bun") return run(bin("bun"), [file]).status === 0;
      const compiled = join(nodeTests, file.replace(/\.ts$/, ".js"));
      return compileForNode() && run("node", [compiled], { env: nodeEnv }).status === 0;
    });
  },
};

if (!jobs[job]) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(jobs).join("|")} [deno|bun]`);
  process.exit(2);
}
process.exit(jobs[job]() ? 0 : 1);
