// The `sql` tagged template: interpolated tables are scanned in place for that query only
// (under fresh names, so self-joins and repeated queries work), other interpolated values are
// bound parameters ({pN:Type}, the type chosen from the JS value), never SQL text.
//
// What counts as a table: an apache-arrow Table or RecordBatch, a TableReader, a non-empty
// array of plain objects (rows), or a plain object whose values are all arrays or typed arrays
// (columns). Everything else is a value (see src/core/params.ts for how values become text).
import { RecordBatch, Table } from "./apache_arrow.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import type { QueryParams, QueryParamValue } from "../core/params.ts";
import { TableReader } from "./to_arrow_table.ts";
import type { NativeScan } from "./native_scan.ts";
import { scanOf } from "./query_tables.ts";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isColumn(v: unknown): boolean {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

export function isTableLike(v: unknown): boolean {
  if (v instanceof Table || v instanceof RecordBatch || v instanceof TableReader) return true;
  if (Array.isArray(v)) return v.length > 0 && v.every(isPlainObject);
  if (isPlainObject(v)) {
    const values = Object.values(v);
    return values.length > 0 && values.every(isColumn);
  }
  return false;
}

/** The ClickHouse type of a placeholder for a JS value. */
export function paramType(v: unknown): string {
  switch (typeof v) {
    case "string":
      return "String";
    case "number":
      return Number.isSafeInteger(v) ? "Int64" : "Float64";
    case "bigint":
      if (v >= -(1n << 63n) && v < 1n << 63n) return "Int64";
      if (v >= 0n && v < 1n << 64n) return "UInt64";
      if (v >= -(1n << 127n) && v < 1n << 127n) return "Int128";
      if (v >= -(1n << 255n) && v < 1n << 255n) return "Int256";
      throw new ChdbArgumentError(`bigint ${v} does not fit a 256-bit integer`);
    case "boolean":
      return "Bool";
    case "undefined":
      return "Nullable(String)";
    case "object": {
      if (v === null) return "Nullable(String)";
      if (v instanceof Date) return "DateTime64(3, 'UTC')";
      if (Array.isArray(v)) return `Array(${commonType(v)})`;
      if (v instanceof Map) return `Map(${commonType([...v.keys()])}, ${commonType([...v.values()])})`;
      if (isPlainObject(v)) return `Map(String, ${commonType(Object.values(v))})`;
    }
  }
  const kind = typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
  throw new ChdbArgumentError(`a ${kind} cannot be a query value: it has no SQL type`);
}

function commonType(values: unknown[]): string {
  const present = values.filter((x) => x !== null && x !== undefined);
  const types = new Set(present.map(paramType));
  if (types.has("Float64") && types.has("Int64")) types.delete("Int64");
  if (types.size > 1) throw new ChdbArgumentError(`a collection mixes ${[...types].join(" and ")} values`);
  const type = types.size === 0 ? "String" : [...types][0];
  return present.length < values.length && !type.startsWith("Nullable(") ? `Nullable(${type})` : type;
}

export interface SqlQuery {
  sql: string;
  params: QueryParams;
  /** Tables of this query only, by the name its SQL uses; freed after the query. */
  tables: Map<string, NativeScan>;
}

let templateTables = 0;

export function buildSql(strings: TemplateStringsArray, values: unknown[]): SqlQuery {
  if (!Array.isArray(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
    throw new ChdbArgumentError("sql is a tagged template: call it as sql`SELECT ...`");
  }
  const params: QueryParams = {};
  const tables = new Map<string, NativeScan>();
  const names = new Map<unknown, string>();
  let sql = strings[0];
  try {
    values.forEach((v, i) => {
      if (isTableLike(v)) {
        let name = names.get(v);
        if (name === undefined) {
          name = `js_table_${++templateTables}`;
          tables.set(name, scanOf(v));
          names.set(v, name);
        }
        sql += `arrowstream('${name}')`;
      } else {
        const type = paramType(v);
        params[`p${i}`] = v as QueryParamValue;
        sql += `{p${i}:${type}}`;
      }
      sql += strings[i + 1];
    });
  } catch (e) {
    for (const scan of tables.values()) scan.free();
    throw e;
  }
  return { sql, params, tables };
}
