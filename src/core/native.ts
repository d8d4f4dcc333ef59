// The lazily loaded native library and the process-exit sequence.
// src/core/ is rank 1: the loader, errors, the native-handle owner, encodings, results and
// parameters that every other folder builds on; it imports only ffi/.
import { loadNative } from "../../ffi/load.ts";
import type { NativeLib } from "../../ffi/types.ts";
import { ChdbLoadError } from "./errors.ts";

let lib: NativeLib | undefined;
const atExit = new Set<() => void>();
const atExitLast = new Set<() => void>();

/** The native library, loaded on first use (loading libchdb costs ~150 ms, so never at import). */
export function native(): NativeLib {
  if (lib === undefined) {
    try {
      lib = loadNative().lib;
    } catch (e) {
      throw new ChdbLoadError(`cannot load chDB: ${(e as Error).message}`, { cause: e });
    }
    lib.onExit(runExitTasks);
  }
  return lib;
}

/**
 * Registers JS-side cleanup for the end of the program (e.g. closing a temporary session and
 * removing its directory); returns a function that unregisters it. The engine itself is stopped
 * by the shim's C exit handler, after every connection still open is closed.
 */
export function runAtExit(task: () => void, options: { last?: boolean } = {}): () => void {
  // `last`: after every other task (native handles are freed after what uses them is released).
  const tasks = options.last ? atExitLast : atExit;
  tasks.add(task);
  return () => tasks.delete(task);
}

function runExitTasks(): void {
  for (const task of [...atExit, ...atExitLast]) {
    try {
      task();
    } catch {
      // best effort at exit: nothing left to report to
    }
  }
  // An off-thread call still running (exit during queryAsync...) must finish before libchdb's own
  // exit handlers tear the engine down: the shim's shutdown (which waits for it) goes first.
  lib?.fn.chffi_stop_first_at_exit();
}

/** The engine's version string, e.g. "26.7.3". Loads the library. */
export function engineVersion(): string {
  const l = native();
  return l.cString(l.fn.chffi_engine_version()) ?? "";
}
