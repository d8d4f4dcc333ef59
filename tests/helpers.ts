// Shared test helpers: running a script on the same runtime as the test suite.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const runtime: "deno" | "bun" | "node" = process.versions.bun
  ? "bun"
  : (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : "node";

/**
 * Runs a TypeScript file with the runtime running the tests (Deno gets -A). Under Node the suite
 * runs compiled (scripts/run.mjs), so the file's compiled `.js` twin runs instead.
 */
export function runScript(
  file: string,
  args: string[] = [],
  options: { env?: Record<string, string>; input?: string | Uint8Array } = {},
): SpawnSyncReturns<Buffer> {
  const argv = runtime === "deno"
    ? ["run", "-A", file, ...args]
    : [runtime === "node" ? file.replace(/\.ts$/, ".js") : file, ...args];
  return spawnSync(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    input: options.input ?? "",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function fixture(name: string): string {
  return join(ROOT, "tests", "fixtures", name);
}

export function tempDir(prefix = "chdb-ffi-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
