// The lazily loaded native library and the process-exit sequence.
// src/core/ is rank 1: the loader, errors, the native-handle owner, encodings, results and
// parameters that every other folder builds on; it imports only ffi/.
import { locateNative, openShim } from "../../ffi/load.ts";
import type { NativeLib } from "../../ffi/types.ts";
export type { Lane, NativeLib, Pointer } from "../../ffi/types.ts";
import { ABI_VERSION, Status } from "./abi.ts";
import { takeError } from "./native_error.ts";
import { ChdbLoadError } from "./errors.ts";

let lib: NativeLib | undefined;
const atExit = new Set<() => void>();
const atExitLast = new Set<() => void>();

/** The native library, loaded on first use (loading libchdb costs ~150 ms, so never at import). */
export function native(): NativeLib {
  if (lib === undefined) {
    try {
      lib = load();
    } catch (e) {
      throw new ChdbLoadError(`cannot load chDB: ${(e as Error).message}`, { cause: e });
    }
    lib.onExit(runExitTasks);
  }
  return lib;
}

/** Opens the shim, checks its ABI version and has it load libchdb. */
function load(): NativeLib {
  const { shimPath, libchdbPath } = locateNative();
  const opened = openShim(shimPath);
  const abi = opened.fn.chffi_abi_version();
  if (abi !== ABI_VERSION) {
    throw new Error(`the shim at ${shimPath} has ABI version ${abi}, this module needs ${ABI_VERSION}: rebuild it with \`npm run build:shim\``);
  }
  const path = new TextEncoder().encode(libchdbPath);
  const error = new BigUint64Array(1);
  const status = opened.fn.chffi_load(path, path.length, error);
  if (status !== Status.OK) throw takeError(opened, status, error);
  return opened;
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
