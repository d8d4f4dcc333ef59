// Where the shim and libchdb are found: environment overrides, then this checkout's own build,
// then the platform npm package. A failure names every path that was tried.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const SHIM_ENV = "CHDB_FFI_SHIM_PATH";
export const LIBCHDB_ENV = "CHDB_LIB_PATH";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function env(name: string): string | undefined {
  try {
    return process.env[name] || undefined;
  } catch {
    return undefined; // Deno without --allow-env: treat as unset
  }
}

/** The npm package that carries libchdb for this machine, e.g. `@chdb/lib-linux-x64-gnu`. */
export function platformPackage(): string {
  const os = process.platform;
  const suffix = os === "linux" ? "-gnu" : "";
  return `@chdb/lib-${os}-${process.arch}${suffix}`;
}

function shimFileName(): string {
  return process.platform === "darwin" ? "libchdb_ffi.dylib" : "libchdb_ffi.so";
}

/** `node_modules` folders from the package root upwards, where an installed dependency may sit. */
function nodeModulesDirs(): string[] {
  const dirs: string[] = [];
  for (let dir = packageRoot;; dir = dirname(dir)) {
    dirs.push(join(dir, "node_modules"));
    if (dirname(dir) === dir) return dirs;
  }
}

export interface Candidates {
  readonly envVar: string;
  readonly paths: string[];
}

export function shimCandidates(): Candidates {
  const fromEnv = env(SHIM_ENV);
  const paths = fromEnv ? [resolve(fromEnv)] : [
    join(packageRoot, "zig-out", "lib", shimFileName()),
    join(packageRoot, "prebuilt", `${process.platform}-${process.arch}`, shimFileName()),
  ];
  return { envVar: SHIM_ENV, paths };
}

export function libchdbCandidates(): Candidates {
  const fromEnv = env(LIBCHDB_ENV);
  const file = process.platform === "darwin" ? "libchdb.dylib" : "libchdb.so";
  const paths = fromEnv
    ? [resolve(fromEnv)]
    : nodeModulesDirs().map((dir) => join(dir, ...platformPackage().split("/"), file));
  return { envVar: LIBCHDB_ENV, paths };
}

/** Deno's refusal of a file-system check (the permission is missing), as opposed to "no such file". */
function isPermissionError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

/** The first existing candidate, or an Error listing all of them (and a missing permission). */
export function locate(what: string, candidates: Candidates): string {
  const unreadable: string[] = [];
  const found = candidates.paths.find((p) => {
    try {
      return existsSync(p);
    } catch (e) {
      if (isPermissionError(e)) unreadable.push(p);
      return false;
    }
  });
  if (found) return found;
  if (unreadable.length > 0) {
    throw new Error(
      `cannot look for ${what}: read permission is missing for ${unreadable.join(", ")}. ` +
        `Under Deno run with --allow-read=${unreadable.join(",")} (or --allow-read) and --allow-ffi.`,
    );
  }
  throw new Error(
    `${what} not found. Tried:\n${candidates.paths.map((p) => `  ${p}`).join("\n")}\n` +
      `Set ${candidates.envVar} to its absolute path, or run \`npm install\` in the project.`,
  );
}
