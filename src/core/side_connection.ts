// A short-lived second engine connection on the same data path, for work that must not wait for
// (or run on) the caller's connection: stopping its running query (src/policy/kill_query.ts) and asking the
// engine's parser about SQL before it runs (src/policy/sandbox.ts). Opened per use and closed at once,
// so that it never keeps a data path open after the caller's own connections are gone (opening
// one costs ~0.1 ms while another connection is open).
import { closeConnection, openConnection } from "./connection_calls.ts";
import { encodeStringList, utf8 } from "./encoding.ts";
import { ChdbConnectionError } from "./errors.ts";
import type { Pointer } from "./native.ts";
import { runQuery } from "./query_calls.ts";
import type { Result } from "./result.ts";

/** Runs `use` with a fresh connection to `path` (":memory:" or an absolute directory), `--name=value` settings. */
export function withSideConnection<T>(path: string, use: (side: SideConnection) => T, settings: string[] = []): T {
  let handle: Pointer;
  try {
    handle = openConnection(utf8(path), encodeStringList(settings));
  } catch (e) {
    throw new ChdbConnectionError(`cannot open a second connection: ${(e as Error).message}`);
  }
  try {
    return use(new SideConnection(handle));
  } finally {
    closeConnection(handle);
  }
}

export class SideConnection {
  constructor(readonly handle: Pointer) {}

  /** Runs one statement (no parameters) and returns its output. */
  query(sql: string, format = "TSV", params: Uint8Array = new Uint8Array(0)): Result {
    return runQuery(this.handle, utf8(sql), utf8(format), params, format);
  }
}
