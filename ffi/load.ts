// Opens the shim for the running runtime, checks its ABI version and has it load libchdb.
// Backends are imported statically: each touches its runtime's globals only when called.
// ffi/ is rank 0 of the tree (README "Layout"): the only code that names a runtime's FFI; it
// imports nothing from src/.
import { openBun } from "./bun.ts";
import { openDeno } from "./deno.ts";
import { openNode } from "./node.ts";
import { libchdbCandidates, locate, shimCandidates } from "./locate.ts";
import type { NativeLib } from "./types.ts";

/** The ABI version this TypeScript expects (CHFFI_ABI_VERSION in native/chdb_ffi.h). */
export const ABI_VERSION = 1;

export interface LoadedNative {
  readonly lib: NativeLib;
  readonly shimPath: string;
  readonly libchdbPath: string;
}

function openShim(shimPath: string): NativeLib {
  const g = globalThis as Record<string, unknown>;
  if ("Bun" in g) return openBun(shimPath);
  if ("Deno" in g) return openDeno(shimPath);
  const process = g.process as { versions?: { node?: string } } | undefined;
  if (process?.versions?.node) return openNode(shimPath);
  throw new Error("chdb-ffi runs on Deno, Bun and Node.js");
}

export function loadNative(): LoadedNative {
  const shimPath = locate("the chdb-ffi shim (libchdb_ffi)", shimCandidates());
  const libchdbPath = locate("libchdb", libchdbCandidates());
  const lib = openShim(shimPath);
  const abi = lib.fn.chffi_abi_version();
  if (abi !== ABI_VERSION) {
    throw new Error(`the shim at ${shimPath} has ABI version ${abi}, this module needs ${ABI_VERSION}: rebuild it with \`npm run build:shim\``);
  }
  const path = new TextEncoder().encode(libchdbPath);
  const err = new Uint8Array(4096);
  const status = lib.fn.chffi_load(path, path.length, err, err.length);
  if (status !== 0) {
    const end = err.indexOf(0);
    throw new Error(new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)));
  }
  return { lib, shimPath, libchdbPath };
}
