// Sessions: connections that hold state (databases, tables, views, functions) on a path.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConnectOptions, Connection, MEMORY } from "./connection.ts";
import { ChdbArgumentError } from "./errors.ts";
import { runAtExit } from "./native.ts";

export interface SessionOptions extends ConnectOptions {
  /** Work in a private temporary directory, removed by close() (or at exit). */
  temporary?: boolean;
}

/**
 * A stateful connection. `new Session()` is in memory (shared with every in-memory connection
 * of the process); `new Session(path)` persists to `path`, which is never deleted;
 * `Session.temporary()` works in a private temporary directory removed on close.
 */
export class Session extends Connection {
  /** True when the data directory is private and removed by close(). */
  readonly temporary: boolean;
  #forgetCleanup: (() => void) | undefined;

  constructor(path?: string, options: SessionOptions = {}) {
    const temporary = options.temporary === true;
    if (temporary && path !== undefined) throw new ChdbArgumentError("a temporary session chooses its own path: pass no path");
    const dir = temporary ? mkdtempSync(join(tmpdir(), "chdb-ffi-session-")) : path ?? MEMORY;
    try {
      super(dir, options);
    } catch (e) {
      if (temporary) rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    this.temporary = temporary;
    if (temporary) this.#forgetCleanup = runAtExit(() => this.close());
  }

  /** A session in a private temporary directory, removed by close(). */
  static temporary(options: ConnectOptions = {}): Session {
    return new Session(undefined, { ...options, temporary: true });
  }

  /** Closes the session and, for a temporary one, removes its directory. Idempotent. */
  override close(): void {
    super.close();
    if (this.#forgetCleanup) {
      this.#forgetCleanup();
      this.#forgetCleanup = undefined;
      const dir = this.path;
      this.afterFree(() => rmSync(dir, { recursive: true, force: true }));
    }
  }

  /** The chDB name for close(). */
  cleanup(): void {
    this.close();
  }
}
