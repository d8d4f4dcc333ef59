// insert(): JS data into a table through Arrow, never through SQL text. The data is registered
// as an Arrow stream (scanned in place when it already is Arrow, converted once otherwise) and
// the engine runs `INSERT INTO t (columns) SELECT columns FROM arrowstream(...)`, matching columns
// by name.
import { ChdbArgumentError } from "../core/errors.ts";
import type { QueryStats } from "../core/result.ts";
import type { RecordBatch, Table } from "../arrow/apache_arrow.ts";
import { toArrowTable } from "../arrow/to_arrow_table.ts";
import { command, commandAsync, type CommandTarget } from "./command.ts";

/** What insert() takes: Arrow data, row objects or a record of column arrays. */
export type InsertData = Table | RecordBatch | readonly Record<string, unknown>[] | Record<string, ArrayLike<unknown>>;

/** The calls insert() makes on a connection (Connection has them). */
export interface InsertTarget extends CommandTarget {
  register(name: string, data: Table): void;
  unregister(name: string): boolean;
}

const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdentifier(name: string): string {
  return "`" + name.replaceAll("\\", "\\\\").replaceAll("`", "\\`") + "`";
}

/** `t` or `db.t` (plain identifiers), quoted; anything else is refused. */
function tableName(table: unknown): string {
  if (typeof table !== "string") throw new ChdbArgumentError(`table must be a string, got ${typeof table}`);
  const parts = table.split(".");
  if (parts.length > 2 || !parts.every((p) => plainName.test(p))) {
    throw new ChdbArgumentError(
      `table must be a plain name or db.name (letters, digits, _), got ${JSON.stringify(table)}`,
    );
  }
  return parts.map(quoteIdentifier).join(".");
}

let nextScan = 0;

/** The INSERT for `data` (registered under a fresh name on `conn` until `done()` is called). */
function prepareInsert(conn: InsertTarget, table: unknown, data: unknown) {
  const target = tableName(table);
  const arrow = toArrowTable(data);
  const columns = arrow.schema.fields.map((f) => quoteIdentifier(f.name)).join(", ");
  if (columns === "") throw new ChdbArgumentError("insert: the data has no columns");
  const scan = `__chdb_ffi_insert_${nextScan++}`;
  conn.register(scan, arrow);
  return {
    sql: `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM arrowstream('${scan}')`,
    done: () => conn.unregister(scan),
  };
}

export function insert(conn: InsertTarget, table: string, data: InsertData): QueryStats {
  const q = prepareInsert(conn, table, data);
  try {
    return command(conn, q.sql);
  } finally {
    q.done();
  }
}

// No AbortSignal: an abort stops only the waiting, and the data must stay registered until the
// engine has read it; the finally below runs when the call has really ended.
export async function insertAsync(conn: InsertTarget, table: string, data: InsertData): Promise<QueryStats> {
  const q = prepareInsert(conn, table, data);
  try {
    return await commandAsync(conn, q.sql);
  } finally {
    q.done();
  }
}
