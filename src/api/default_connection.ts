// Module-level query() on a lazily opened default connection, and connect().
// src/api/ is rank 5 (the default connection, Session, dbapi, UDFs, pools): it imports ranks 0-4.
import type { AsyncOptions } from "../core/abortable.ts";
import {
  type ConnectOptions,
  connectAs,
  Connection,
  MEMORY,
  normalizePath,
  onPathConflict,
  openDataPath,
} from "../connection/connection.ts";
import type { QueryOptions } from "../connection/query_options.ts";
import { killQuery } from "../policy/kill_query.ts";
import type { Result } from "../core/result.ts";
import type { ArrowQueryOptions } from "../arrow/query_arrow.ts";
import type { ArrowTable } from "../arrow/arrow_table.ts";
import type { ProgressOptions } from "../policy/progress_watch.ts";
import type { Format } from "../core/format.ts";

/** How path-conflict messages name the default connection. */
const DEFAULT_HOLDER = "query() default connection";

let sharedOptions: ConnectOptions = {};

let shared: Connection | undefined;
let inFlight = 0; // queryAsync calls on `shared` not settled yet

// The default connection never blocks a Session or connect() on another path: when idle, it
// closes and the next query() opens it again (on the path open then, see defaultConnection()).
onPathConflict(DEFAULT_HOLDER, () => {
  if (inFlight > 0) return false;
  closeDefaultConnection();
  return true;
});

/**
 * The default connection: on the data path another connection (a Session...) holds, else
 * ":memory:". The engine allows one path per process and shares it between the connections to
 * it, so query() runs where the open Session is; once that closes, query() is in memory again.
 */
function defaultConnection(): Connection {
  const wanted = openDataPath(DEFAULT_HOLDER) ?? MEMORY;
  if (shared !== undefined && !shared.closed && shared.path !== wanted && inFlight === 0) closeDefaultConnection();
  if (shared === undefined || shared.closed) shared = connectAs(DEFAULT_HOLDER, wanted, sharedOptions);
  return shared;
}

/**
 * Options of the default connection of query() (e.g. `{ sandbox: true, timeout: 5000 }`): closes
 * it if open; the next query() opens it with these.
 */
export function configureDefaultConnection(options: ConnectOptions): void {
  new Connection(MEMORY, options).close(); // checks the options now
  closeDefaultConnection();
  sharedOptions = { ...options };
}

/**
 * Stops the running query whose `queryId` option was `queryId`, on any connection to `path`
 * (default: in-memory ones), e.g. from a Ctrl-C handler; true when one was running.
 */
export function cancelQuery(queryId: string, path: string = MEMORY): boolean {
  return killQuery(normalizePath(path), queryId);
}

/** query() with format "ArrowTable" or "Dataframe": the result as an apache-arrow Table (close it when done). */
export function query(sql: string, format: "ArrowTable" | "Dataframe", options?: ArrowQueryOptions): ArrowTable;
/**
 * Runs SQL on the process's default connection (opened on first use, in memory unless a Session
 * holds a data path) and returns the output of the last statement in `format` (default CSV).
 *
 * @example
 * ```ts
 * import { query } from "./mod.ts";
 * query("SELECT version()", "Pretty").show();
 * const rows = query("SELECT number AS n FROM numbers({k:UInt8})", "JSONEachRow", { params: { k: 3 } }).json();
 * ```
 */
export function query<F extends string>(sql: string, format?: Format<F>, options?: QueryOptions): Result;
export function query(sql: string, format = "CSV", options: QueryOptions = {}): Result | ArrowTable {
  return defaultConnection().query(sql, format, options);
}

/** queryAsync() with format "ArrowTable" or "Dataframe": an apache-arrow Table. */
export function queryAsync(
  sql: string,
  format: "ArrowTable" | "Dataframe",
  options?: ArrowQueryOptions & AsyncOptions & ProgressOptions,
): Promise<ArrowTable>;
/**
 * query() off the JS thread, on the default connection (calls queue in order on it; for
 * parallel queries use `createPool()`).
 *
 * @example
 * ```ts
 * import { queryAsync } from "./mod.ts";
 * const r = await queryAsync("SELECT sleep(1), 42", "CSV"); // timers and I/O run meanwhile
 * ```
 */
export function queryAsync<F extends string>(sql: string, format?: Format<F>, options?: QueryOptions & AsyncOptions & ProgressOptions): Promise<Result>;
export async function queryAsync(
  sql: string,
  format = "CSV",
  options: QueryOptions & AsyncOptions & ProgressOptions = {},
): Promise<Result | ArrowTable> {
  const conn = defaultConnection();
  inFlight++;
  try {
    return await conn.queryAsync(sql, format, options);
  } finally {
    inFlight--;
  }
}

/**
 * Closes the default connection of query(). Not needed before opening a data path any more (an
 * idle default connection gives way by itself); the next query() opens it again.
 */
export function closeDefaultConnection(): void {
  shared?.close();
  shared = undefined;
}

/**
 * Opens a connection to ":memory:" (default) or a data directory.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * using conn = connect(); // in memory; connect("./data") persists
 * const rows = conn.prepare("SELECT number AS n FROM numbers(3)").all();
 * ```
 */
export function connect(path: string = MEMORY, options: ConnectOptions = {}): Connection {
  return new Connection(path, options);
}

/**
 * ``sql`SELECT ... FROM ${table} WHERE x > ${value}` `` on the default connection: interpolated
 * tables are scanned in place for this query, values are bound parameters. Returns an Arrow Table.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): ArrowTable {
  return defaultConnection().sql(strings, ...values);
}
