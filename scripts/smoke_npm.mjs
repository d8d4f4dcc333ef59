// Smoke test of the npm package: build it (scripts/build_npm.ts), pack it, install the tarball into
// a fresh project with npm (dependencies from the registry only), then run the seed's examples
// (scripts/smoke/examples.mjs) and the CLI through the package's bin under Node, Bun and Deno.
// Run: node scripts/smoke_npm.mjs   (npm test runs it; `--no-build` reuses dist/npm)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const work = mkdtempSync(join(tmpdir(), "chdb-ffi-npm-smoke-"));
// The installed package must find everything by itself, not through this checkout's overrides.
const env = { ...process.env };
delete env.CHDB_FFI_SHIM_PATH;
delete env.CHDB_LIB_PATH;

function run(command, args, { cwd = work, input } = {}) {
  const r = spawnSync(command, args, { cwd, env, input, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}` };
}

const checks = [];
function check(name, command, args, expected, options) {
  const r = run(command, args, options);
  const ok = r.status === 0 && r.out.includes(expected);
  checks.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  if (!ok) console.log(r.out.split("\n").map((l) => `     ${l}`).join("\n"));
}
function step(name, command, args, options) {
  const r = run(command, args, options);
  if (r.status !== 0) {
    console.log(`FAIL ${name}\n${r.out}`);
    rmSync(work, { recursive: true, force: true });
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  console.log(`ok   ${name}`);
}

try {
  if (!process.argv.includes("--no-build")) {
    step("build dist/npm", bin("deno"), ["run", "-A", "scripts/build_npm.ts"], { cwd: root });
  }
  step("npm pack", "npm", ["pack", join(root, "dist", "npm"), "--pack-destination", work, "--silent"]);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  const app = join(work, "app");
  step("create the project", "mkdir", [app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "smoke", private: true, type: "module" }));
  step(`npm install ${tarball}`, "npm", ["install", join(work, tarball), "--no-audit", "--no-fund"], { cwd: app });

  const examples = readFileSync(join(root, "scripts", "smoke", "examples.mjs"), "utf8");
  writeFileSync(join(app, "examples.mjs"), examples);
  writeFileSync(join(app, "examples_npm.mjs"), examples.replace('from "chdb-ffi"', 'from "npm:chdb-ffi"'));
  const cliArgs = ["SELECT 1, 'abc' FORMAT TSV"];
  const cliOut = "1\tabc";
  const cli = join(app, "node_modules", "chdb-ffi", "cli.js");

  check("node: examples", "node", ["examples.mjs"], "examples ok", { cwd: app });
  check("node: bin chdb-ffi", join(app, "node_modules", ".bin", "chdb-ffi"), cliArgs, cliOut, { cwd: app });
  check("node: npx chdb-ffi, SQL from stdin", "npx", ["--no-install", "chdb-ffi", "-", "JSONEachRow"], '{"x":2}', {
    cwd: app,
    input: "SELECT 2 AS x",
  });
  // CommonJS require()s the ES module package (Node 20.19+, Bun) only while its graph has no top-level await.
  writeFileSync(join(app, "require.cjs"), `console.log(require("chdb-ffi").query("SELECT concat('cjs', ' ok')", "TSV").text());`);
  check("node: require() from CommonJS", "node", ["require.cjs"], "cjs ok", { cwd: app });
  check("bun: examples", bin("bun"), ["examples.mjs"], "examples ok", { cwd: app });
  check("bun: require() from CommonJS", bin("bun"), ["require.cjs"], "cjs ok", { cwd: app });
  check("bun: cli.js", bin("bun"), [cli, ...cliArgs], cliOut, { cwd: app });
  check(
    "deno: examples (bare import through node_modules)",
    bin("deno"),
    ["run", "-A", "examples.mjs"],
    "examples ok",
    {
      cwd: app,
    },
  );
  check("deno: examples (npm: specifier)", bin("deno"), ["run", "-A", "examples_npm.mjs"], "examples ok", { cwd: app });
  check("deno: cli.js", bin("deno"), ["run", "-A", cli, ...cliArgs], cliOut, { cwd: app });
  // chdb-ffi/clickhouse: @clickhouse/client (a dependency of the package) on the engine
  writeFileSync(join(app, "clickhouse.mjs"), readFileSync(join(root, "scripts", "smoke", "clickhouse.mjs"), "utf8"));
  check("node: chdb-ffi/clickhouse", "node", ["clickhouse.mjs"], "clickhouse ok", { cwd: app });
  check("bun: chdb-ffi/clickhouse", bin("bun"), ["clickhouse.mjs"], "clickhouse ok", { cwd: app });
  check("deno: chdb-ffi/clickhouse", bin("deno"), ["run", "-A", "clickhouse.mjs"], "clickhouse ok", { cwd: app });
} finally {
  rmSync(work, { recursive: true, force: true });
}
const passed = checks.filter(Boolean).length;
console.log(`${passed} passed, ${checks.length - passed} failed`);
process.exit(passed === checks.length ? 0 : 1);
