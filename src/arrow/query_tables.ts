// JS data as SQL tables. The engine reads a registered Arrow stream once and its registry is
// process-wide, so a name registered here lives only in this module: each query that mentions
// arrowstream('name') gets that reference rewritten to a fresh engine name, registered over the
// same in-place data just before the query and unregistered right after it.
import { ChdbArgumentError } from "../core/errors.ts";
import { type Pointer, runAtExit } from "../core/native.ts";
import { toArrowTable } from "./to_arrow_table.ts";
import { NativeScan } from "./native_scan.ts";

/** The registered tables of each open connection. */
const registries = new WeakMap<object, Map<string, NativeScan>>();
/** Everything still registered in the engine, to unregister before it shuts down. */
const live = new Set<{ release(): void }>();
let freshNames = 0;

runAtExit(() => {
  for (const scope of [...live]) scope.release();
});

function registryOf(conn: object): Map<string, NativeScan> {
  let r = registries.get(conn);
  if (r === undefined) registries.set(conn, r = new Map());
  return r;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") throw new ChdbArgumentError("a table name must be a non-empty string");
  if (name.includes("\0")) throw new ChdbArgumentError("a table name cannot contain a NUL byte");
}

/** Registers data under `name` on a connection (conversion to Arrow happens here, once). */
export function registerTable(conn: object, name: string, data: unknown): void {
  checkName(name);
  const registry = registryOf(conn);
  if (registry.has(name)) {
    throw new ChdbArgumentError(
      `a table named "${name}" is already registered on this connection: unregister("${name}") first`,
    );
  }
  registry.set(name, scanOf(data));
}

/** Scans data in place (Arrow input) or after converting it to Arrow once. */
export function scanOf(data: unknown): NativeScan {
  return new NativeScan(toArrowTable(data));
}

/** Forgets a registered name; false if it was not registered. */
export function unregisterTable(conn: object, name: string): boolean {
  checkName(name);
  const registry = registries.get(conn);
  const scan = registry?.get(name);
  if (scan === undefined) return false;
  registry!.delete(name);
  scan.free();
  return true;
}

/** Frees every table registered on a connection (it is closing). */
export function releaseTables(conn: object): void {
  const registry = registries.get(conn);
  if (registry === undefined) return;
  registries.delete(conn);
  for (const scan of registry.values()) scan.free();
}

const reference = /\barrowstream\s*\(\s*'((?:[^'\\]|\\.)*)'\s*\)/gi;

function unescapeSql(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/** The engine-side registrations of one query; release() undoes them. */
export class QueryTables {
  readonly sql: string;
  #registered: { scan: NativeScan; name: string }[] = [];
  #conn: Pointer;

  constructor(
    conn: Pointer,
    sql: string,
    registry: Map<string, NativeScan> | undefined,
    extra?: Map<string, NativeScan>,
  ) {
    this.#conn = conn;
    if ((registry === undefined || registry.size === 0) && extra === undefined) {
      this.sql = sql;
      return;
    }
    try {
      this.sql = sql.replace(reference, (match, quoted: string) => {
        const name = unescapeSql(quoted);
        const scan = extra?.get(name) ?? registry?.get(name);
        if (scan === undefined) return match;
        // The engine drops quote characters from the names it looks up (found by
        // tests/arrowstream_rewrite.test.ts): the fresh name keeps none, nor a backslash.
        const fresh = `${name.replace(/['"`\\]/g, "_")}#${++freshNames}`;
        scan.register(conn, fresh);
        this.#registered.push({ scan, name: fresh });
        return `arrowstream('${fresh}')`;
      });
    } catch (e) {
      this.release();
      throw e;
    }
    if (this.#registered.length > 0) live.add(this);
  }

  release(): void {
    for (const { scan, name } of this.#registered) scan.unregister(this.#conn, name);
    this.#registered = [];
    live.delete(this);
  }
}

/** Registers, for the duration of one query, the tables its SQL names. */
export function tablesFor(conn: object, handle: Pointer, sql: string, extra?: Map<string, NativeScan>): QueryTables {
  return new QueryTables(handle, sql, registries.get(conn), extra);
}
