// Module-level query() on a lazily opened in-memory connection, and connect().
import type { AsyncOptions } from "./async.ts";
import { type ConnectOptions, Connection, MEMORY, normalizePath, type QueryOptions } from "./connection.ts";
import { killQuery } from "./cancel.ts";
import type { Result } from "./result.ts";
import type { ArrowQueryOptions } from "./arrow/query.ts";
import type { ArrowTable } from "./arrow/table.ts";
import type { ProgressOptions } from "./progress.ts";

let shared: Connection | undefined;
let sharedOptions: ConnectOptions = {};

function defaultConnection(): Connection {
  if (shared === undefined || shared.closed) shared = new Connection(MEMORY, sharedOptions);
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

/** Runs SQL on the process's default in-memory connection (opened on first use). */
export function query(sql: string, format: "ArrowTable" | "Dataframe", options?: ArrowQueryOptions): ArrowTable;
export function query(sql: string, format?: string, options?: QueryOptions): Result;
export function query(sql: string, format = "CSV", options: QueryOptions = {}): Result | ArrowTable {
  return defaultConnection().query(sql, format, options);
}

/** query() off the JS thread, on the default connection (calls queue in order on it). */
export function queryAsync(
  sql: string,
  format: "ArrowTable" | "Dataframe",
  options?: ArrowQueryOptions & AsyncOptions & ProgressOptions,
): Promise<ArrowTable>;
export function queryAsync(sql: string, format?: string, options?: QueryOptions & AsyncOptions & ProgressOptions): Promise<Result>;
export function queryAsync(
  sql: string,
  format = "CSV",
  options: QueryOptions & AsyncOptions & ProgressOptions = {},
): Promise<Result | ArrowTable> {
  try {
    return defaultConnection().queryAsync(sql, format, options);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Closes the default connection of query(), e.g. before opening a data path (the engine allows
 * one data path per process). The next query() opens it again.
 */
export function closeDefaultConnection(): void {
  shared?.close();
  shared = undefined;
}

/** Opens a connection to ":memory:" (default) or a data directory. */
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
