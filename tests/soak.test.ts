// Coarse leak bounds: bench/soak.ts runs each operation many times in a child process (RSS is the
// whole process's) and reports the RSS growth. The bounds are far above what a leak-free run grows
// (caches, allocator slack: 0-15 MB) and far below what the leaks seen before grow over the same
// count (~1-2 MB per session or connection, a 17 MB Arrow result never freed, ~7 MB per dropped
// stream), so that they neither flake nor miss such a leak. Full counts and figures: bench/README.md.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { ROOT, runtime } from "./helpers.ts";

interface SoakResult {
  growthMB: number;
  count: number;
}

function soak(name: string, count: number): SoakResult {
  const script = join(ROOT, "bench", runtime === "node" ? "soak.js" : "soak.ts");
  const args = runtime === "deno"
    ? ["run", "-A", "--v8-flags=--expose-gc", script]
    : runtime === "node"
    ? ["--expose-gc", script]
    : [script];
  const r = spawnSync(process.execPath, [...args, name, String(count)], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split("\n").pop()!) as SoakResult;
  assert.equal(result.count, count);
  return result;
}

function bounded(name: string, count: number, maxGrowthMB: number, leakMB: string) {
  const r = soak(name, count);
  assert.ok(
    r.growthMB < maxGrowthMB,
    `${name}: RSS grew ${r.growthMB} MB over ${count} operations (bound ${maxGrowthMB} MB; the leak this catches: ${leakMB})`,
  );
}

test("soak: 1000 queries with a 110 KB result keep RSS flat", () => {
  bounded("queries", 1000, 50, "110 MB if every result leaked");
});

test("soak: 200 connect/close keep RSS flat", () => {
  bounded("connects", 200, 60, "200 MB at 1 MB per connection");
});

test("soak: 200 sessions reopening one directory keep RSS flat (no engine reboot per session)", () => {
  bounded("sessions-same", 200, 80, "200-400 MB at the 1-2 MB each engine reboot leaked");
});

test("soak: 200 temporary sessions with a MergeTree table keep RSS flat (no engine reboot per session)", () => {
  bounded("sessions-temporary", 200, 80, "~320 MB at the 1.6 MB each engine reboot leaked");
});

test("soak: 30 large Arrow results dropped without close are freed by GC", () => {
  bounded("dropped-arrow", 30, 150, "~510 MB for 30 results of 17 MB never freed");
});

test("soak: 100 streams dropped after one batch are freed by GC with their connections", () => {
  bounded("dropped-streams", 100, 150, "~700 MB at ~7 MB per dropped stream");
});
