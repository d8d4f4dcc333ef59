// Finds the shim and libchdb, and opens the shim for the running runtime.
// Backends are imported statically: each touches its runtime's globals only when called.
// ffi/ is rank 0 of the tree (README "Layout"): the only code that names a runtime's FFI; it
// imports nothing from src/.
import { openBun } from "./bun.ts";
import { openDeno } from "./deno.ts";
import { openNode } from "./node.ts";
import { libchdbCandidates, locate, shimCandidates } from "./locate.ts";
import type { NativeLib } from "./types.ts";

/** Where the shim and libchdb are (CHDB_FFI_SHIM_PATH, CHDB_LIB_PATH or the usual places); throws when either is missing. */
export function locateNative(): { readonly shimPath: string; readonly libchdbPath: string } {
  const shimPath = locate("the chdb-ffi shim (libchdb_ffi)", shimCandidates());
  const libchdbPath = locate("libchdb", libchdbCandidates());
  return { shimPath, libchdbPath };
}

/** Opens the shim with the running runtime's backend (src/native.ts then checks its ABI version and has it load libchdb). */
export function openShim(shimPath: string): NativeLib {
  const g = globalThis as Record<string, unknown>;
  if ("Bun" in g) return openBun(shimPath);
  if ("Deno" in g) return openDeno(shimPath);
  const process = g.process as { versions?: { node?: string } } | undefined;
  if (process?.versions?.node) return openNode(shimPath);
  throw new Error("chdb-ffi runs on Deno, Bun and Node.js");
}
