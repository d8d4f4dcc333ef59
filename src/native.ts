// The lazily loaded native library and the process-exit sequence.
import { loadNative } from "../ffi/load.ts";
import type { NativeLib } from "../ffi/types.ts";
import { ChdbLoadError } from "./errors.ts";

let lib: NativeLib | undefined;
const afterShutdown = new Set<() => void>();
const beforeShutdownTasks = new Set<() => void>();

/** The native library, loaded on first use (loading libchdb costs ~150 ms, so never at import). */
export function native(): NativeLib {
  if (lib === undefined) {
    try {
      lib = loadNative().lib;
    } catch (e) {
      throw new ChdbLoadError(`cannot load chDB: ${(e as Error).message}`, { cause: e });
    }
    lib.onExit(shutdownAtExit);
  }
  return lib;
}

/** Registers work to run at exit once the engine is stopped (e.g. removing temp directories). */
export function runAfterShutdown(task: () => void): () => void {
  afterShutdown.add(task);
  return () => afterShutdown.delete(task);
}

/**
 * Registers work to run at exit before the engine stops (e.g. unregistering Arrow tables and
 * closing open streams, which the engine must not see at shutdown).
 */
export function beforeShutdown(task: () => void): () => void {
  beforeShutdownTasks.add(task);
  return () => beforeShutdownTasks.delete(task);
}

function shutdownAtExit(): void {
  for (const task of beforeShutdownTasks) {
    try {
      task();
    } catch {
      // best effort at exit: nothing left to report to
    }
  }
  // Closes every connection still open, then joins the engine's threads before the runtime
  // tears itself down: a thread left running then is what crashes processes at exit.
  lib?.fn.chffi_shutdown();
  for (const task of afterShutdown) {
    try {
      task();
    } catch {
      // best effort at exit: nothing left to report to
    }
  }
}

/** The engine's version string, e.g. "26.7.3". Loads the library. */
export function engineVersion(): string {
  const l = native();
  return l.cString(l.fn.chffi_engine_version()) ?? "";
}
