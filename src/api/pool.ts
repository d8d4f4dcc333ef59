// A pool of connections for async work: a handler's queries run in parallel, one per
// connection (a single connection runs its off-thread calls one at a time).
import { availableParallelism } from "node:os";
import type { AsyncOptions } from "../core/abortable.ts";
import { Connection, type ConnectOptions, MEMORY } from "../connection/connection.ts";
import type { QueryOptions } from "../connection/query_options.ts";
import { ChdbArgumentError, ChdbClosedError } from "../core/errors.ts";
import type { QueryStats, Result } from "../core/result.ts";
import type { InsertData } from "../connection/insert.ts";
import type { ArrowQueryOptions } from "../arrow/query_arrow.ts";
import type { ArrowTable } from "../arrow/arrow_table.ts";
import type { Format } from "../core/format.ts";
import { optionsObject } from "../core/options.ts";

/**
 * Settings that suit many small concurrent queries (a server's): one engine thread per query
 * (the pool's connections are the parallelism) and no parallel output formatting (a thread
 * hand-off that costs a small query ~0.3 ms). Measured in bench/README.md ("Server throughput").
 */
export const SMALL_QUERY_SETTINGS: Readonly<Record<string, number>> = Object.freeze({
  max_threads: 1,
  output_format_parallel_formatting: 0,
});

/** Options of createPool(). */
export interface PoolOptions extends ConnectOptions {
  /** ":memory:" (default) or a data directory: every connection of the pool opens it. */
  path?: string;
  /** Number of connections (default: the machine's available parallelism). */
  size?: number;
}

/**
 * N connections to one data path; each async call goes to the connection with the fewest calls
 * queued, so up to N queries run at once. `settings` default to {@link SMALL_QUERY_SETTINGS};
 * pass `settings: {}` for the engine's defaults.
 */
export class Pool implements Disposable, AsyncDisposable {
  readonly #connections: Connection[] = [];
  readonly #pending: number[];

  /** Opens `options.size` connections to `options.path` (see {@link createPool}). */
  constructor(options: PoolOptions = {}) {
    options = optionsObject(options);
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 256) {
      throw new ChdbArgumentError(`pool size must be an integer from 1 to 256, got ${size}`);
    }
    const { path = MEMORY, size: _size, settings = SMALL_QUERY_SETTINGS, ...connectOptions } = options;
    try {
      for (let i = 0; i < size; i++) this.#connections.push(new Connection(path, { ...connectOptions, settings }));
    } catch (e) {
      for (const conn of this.#connections) conn.close();
      throw e;
    }
    this.#pending = new Array(size).fill(0);
  }

  /** Number of connections. */
  get size(): number {
    return this.#connections.length;
  }

  /** The data path of every connection (":memory:" or an absolute directory). */
  get path(): string {
    return this.#connections[0].path;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#connections[0].closed;
  }

  /** Runs `call` on the connection with the fewest calls in flight. */
  async #run<T>(call: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.closed) throw new ChdbClosedError("the pool is closed");
    let best = 0;
    for (let i = 1; i < this.#pending.length; i++) if (this.#pending[i] < this.#pending[best]) best = i;
    this.#pending[best]++;
    try {
      return await call(this.#connections[best]);
    } finally {
      this.#pending[best]--;
    }
  }

  /** queryAsync() with format "ArrowTable" or "Dataframe", on the least busy connection. */
  queryAsync(
    sql: string,
    format: "ArrowTable" | "Dataframe",
    options?: ArrowQueryOptions & AsyncOptions,
  ): Promise<ArrowTable>;
  /** Connection.queryAsync() on the least busy connection. */
  queryAsync<F extends string>(sql: string, format?: Format<F>, options?: QueryOptions & AsyncOptions): Promise<Result>;
  queryAsync(sql: string, format = "CSV", options: QueryOptions & AsyncOptions = {}): Promise<Result | ArrowTable> {
    return this.#run((conn) => conn.queryAsync(sql, format, options));
  }

  /** Connection.queryArrowAsync() on the least busy connection. */
  queryArrowAsync(sql: string, options: ArrowQueryOptions & AsyncOptions = {}): Promise<ArrowTable> {
    return this.#run((conn) => conn.queryArrowAsync(sql, options));
  }

  /** Connection.commandAsync() on the least busy connection. */
  commandAsync(sql: string, options: QueryOptions & AsyncOptions = {}): Promise<QueryStats> {
    return this.#run((conn) => conn.commandAsync(sql, options));
  }

  /** Connection.insertAsync() on the least busy connection. */
  insertAsync(table: string, data: InsertData): Promise<QueryStats> {
    return this.#run((conn) => conn.insertAsync(table, data));
  }

  /**
   * Closes every connection; calls made before finish first. Idempotent.
   * (Registered JS tables are per connection: register on a Connection, not on a pool.)
   */
  close(): void {
    for (const conn of this.#connections) conn.close();
  }

  /** close(), resolving once every connection is freed. */
  async closeAsync(): Promise<void> {
    await Promise.all(this.#connections.map((conn) => conn.closeAsync()));
  }

  /** close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** closeAsync(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.closeAsync();
  }
}

/**
 * A pool of `size` connections to `path` for parallel async queries (see {@link Pool}).
 *
 * @example
 * ```ts
 * import { createPool } from "./mod.ts";
 * await using pool = createPool({ size: 4 });
 * const results = await Promise.all([1, 2, 3, 4].map((n) => pool.queryAsync(`SELECT ${n}`)));
 * ```
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new Pool(options);
}
