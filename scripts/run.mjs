// Runs a job on both runtimes and sums up: `node scripts/run.mjs test|demo|bench [deno|bun]`.
// The test job ends with the line `N passed, N failed` over both runtimes.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const [job, only] = process.argv.slice(2);
const runtimes = only ? [only] : ["deno", "bun"];

function run(command, args, { capture = false } = {}) {
  console.log(`\n$ ${[command, ...args].map((a) => a.replace(root + "/", "")).join(" ")}`);
  const r = spawnSync(command, args, {
    cwd: root,
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

function count(text, pattern) {
  const matches = [...text.matchAll(pattern)];
  return matches.length ? Number(matches[matches.length - 1][1]) : 0;
}

const jobs = {
  test() {
    let passed = 0;
    let failed = 0;
    let ok = true;
    const check = run(bin("deno"), ["check", "mod.ts", "cli.ts", "demo.ts", "tests/", "bench/"]);
    if (check.status !== 0) {
      failed++;
      ok = false;
    }
    for (const runtime of runtimes) {
      const r = runtime === "deno"
        ? run(bin("deno"), ["test", "-A", "tests/"], { capture: true })
        : run(bin("bun"), ["test", "--timeout", "300000", "./tests/"], { capture: true });
      const out = `${r.stdout}\n${r.stderr}`;
      const p = runtime === "deno" ? count(out, /(\d+) passed/g) : count(out, /^\s*(\d+) pass$/gm);
      const f = runtime === "deno" ? count(out, /(\d+) failed/g) : count(out, /^\s*(\d+) fail$/gm);
      console.log(`${runtime}: ${p} passed, ${f} failed (exit ${r.status})`);
      passed += p;
      failed += f;
      if (r.status !== 0 || p === 0) ok = false;
      if (r.status !== 0 && f === 0) failed++; // the runner itself failed: never report green
    }
    console.log(`${passed} passed, ${failed} failed`);
    return ok && failed === 0;
  },
  demo() {
    return runtimes.every((runtime) =>
      (runtime === "deno" ? run(bin("deno"), ["run", "-A", "demo.ts"]) : run(bin("bun"), ["demo.ts"])).status === 0
    );
  },
  bench() {
    const file = process.argv[4] ?? "bench/tiny_query.ts";
    return runtimes.every((runtime) =>
      (runtime === "deno" ? run(bin("deno"), ["run", "-A", file]) : run(bin("bun"), [file])).status === 0
    );
  },
};

if (!jobs[job]) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(jobs).join("|")} [deno|bun]`);
  process.exit(2);
}
process.exit(jobs[job]() ? 0 : 1);
