// Sessions: connections that hold state (databases, tables, views, functions) on a path.
import { rmSync } from "node:fs";
import { type ConnectOptions, Connection, MEMORY } from "../connection/connection.ts";
import { releasePath } from "../core/connection_calls.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { runAtExit } from "../core/native.ts";
import { keepTemporaryDir, removeTemporaryDir, takeTemporaryDir } from "./temporary_dir.ts";
import { optionsObject } from "../core/options.ts";

/** Options of `new Session()` and `Session.temporary()`. */
export interface SessionOptions extends ConnectOptions {
  /** Work in a private temporary directory (reused, emptied, by the next temporary session; removed at exit). */
  temporary?: boolean;
}

/**
 * A stateful connection. `new Session()` is in memory (shared with every in-memory connection
 * of the process); `new Session(path)` persists to `path`, which is never deleted;
 * `Session.temporary()` works in a private temporary directory that starts empty and is removed
 * at exit (after close(), the next temporary session reuses it, emptied first).
 *
 * @example
 * ```ts
 * import { Session } from "./mod.ts";
 * using sess = Session.temporary();
 * sess.query("CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a; INSERT INTO t VALUES (1)");
 * console.log(sess.query("SELECT count() FROM t").text()); // 1
 * ```
 */
export class Session extends Connection {
  /** True when the data directory is private and temporary (removed at exit). */
  readonly temporary: boolean;
  #forgetCleanup: (() => void) | undefined;

  /** A session on `path` (in memory without one); `{ temporary: true }` picks a private temporary directory. */
  constructor(path?: string, options: SessionOptions = {}) {
    options = optionsObject(options);
    const temporary = options.temporary === true;
    if (temporary && path !== undefined) throw new ChdbArgumentError("a temporary session chooses its own path: pass no path");
    const dir = temporary ? takeTemporaryDir(Session.releasePath) : path ?? MEMORY;
    // A temporary directory goes if the connection fails to open. `using`, not try/catch: Deno's
    // .d.ts generation (deno publish) keeps a derived constructor's super() only at top level.
    using unopened = {
      armed: temporary,
      [Symbol.dispose](): void {
        if (this.armed) rmSync(dir, { recursive: true, force: true });
      },
    };
    super(dir, options);
    unopened.armed = false;
    this.temporary = temporary;
    if (temporary) {
      this.#forgetCleanup = runAtExit(() => {
        this.close();
        removeTemporaryDir(Session.releasePath); // exit tasks added while exiting never run
      });
    }
  }

  /** A session in a private temporary directory: empty at start, removed at exit. */
  static temporary(options: ConnectOptions = {}): Session {
    return new Session(undefined, { ...options, temporary: true });
  }

  /**
   * Lets other processes open the last data path. The engine stays booted on a directory after
   * its last connection closes (reopening it is then instant, and a reboot leaks memory inside
   * libchdb), and it keeps the directory locked while booted. Returns false, doing nothing, while
   * any connection of this process is open; true once the engine has let the path go (or held none).
   */
  static releasePath(): boolean {
    return releasePath();
  }

  /**
   * Closes the session. A temporary one's directory is kept for the next temporary session, which
   * empties it first (so that the engine need not reboot), and removed at exit. Idempotent.
   */
  override close(): void {
    super.close();
    // Connection's constructor closes a connection it rejects, before this class's fields exist.
    if (#forgetCleanup in this && this.#forgetCleanup) {
      this.#forgetCleanup();
      this.#forgetCleanup = undefined;
      const dir = this.path;
      this.afterFree(() => keepTemporaryDir(dir, Session.releasePath));
    }
  }

  /** The chDB name for close(). */
  cleanup(): void {
    this.close();
  }
}

// At exit, once every connection is closed (connection.ts registered its exit task before this
// module ran): Deno exiting with the engine still booted on a directory for a reopen crashed 2 runs
// in 20 (a connection left open is closed by then, which used to stop the engine the same way).
runAtExit(() => Session.releasePath());
