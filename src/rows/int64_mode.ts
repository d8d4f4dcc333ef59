// How 64-bit (and wider) integers reach JS: bigint (exact, the default), number (refused beyond
// 2^53 rather than rounded) or string (exact). number and string give rows and Arrow tables that
// JSON.stringify can write (it throws on bigint).
import { DataType, Field, Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from "../arrow/apache_arrow.ts";
import { ChdbArgumentError, ChdbError } from "../core/errors.ts";
import type { RowSet } from "./row_set.ts";
import type { ArrowTable } from "../arrow/arrow_table.ts";

/** How (U)Int64/128/256 values come back: "bigint" (default), "number" or "string". */
export type Int64Mode = "bigint" | "number" | "string";

/** The `int64` option of connections, statements and Arrow queries. */
export interface Int64Option {
  /**
   * How (U)Int64/128/256 values come back: "bigint" (default, exact), "number" (a ChdbError for a
   * value beyond ±(2^53 - 1) instead of rounding it) or "string" (exact). "number" and "string"
   * make rows and Arrow `toJSON()` safe for JSON.stringify.
   */
  int64?: Int64Mode;
}

export function int64Mode(mode: unknown, fallback: Int64Mode = "bigint"): Int64Mode {
  if (mode === undefined) return fallback;
  if (mode === "bigint" || mode === "number" || mode === "string") return mode;
  throw new ChdbArgumentError(`int64 must be "bigint", "number" or "string", got ${JSON.stringify(mode)}`);
}

function toNumber(v: bigint, where: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ChdbError(
      `${where}: ${v} is beyond 2^53 and cannot be a number without rounding (use int64: "string" or "bigint")`,
    );
  }
  return Number(v);
}

function convertValue(v: unknown, mode: Int64Mode, where: string): unknown {
  if (typeof v === "bigint") return mode === "number" ? toNumber(v, where) : String(v);
  if (Array.isArray(v)) return v.map((x) => convertValue(x, mode, where));
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convertValue(x, mode, where);
    return out;
  }
  return v; // Date, Uint8Array, strings, numbers...
}

// Types whose values (or nested values) the row readers give as bigint.
const wideInteger = /Int64|Int128|Int256|Interval/;

/** The row set with its bigint values converted in place (mode "bigint": unchanged). */
export function convertRowSet(set: RowSet, mode: Int64Mode): RowSet {
  if (mode === "bigint") return set;
  set.columns.forEach((column, k) => {
    if (!wideInteger.test(column.type)) return;
    const where = `column ${column.name} (${column.type})`;
    for (const row of set.rows) row[k] = convertValue(row[k], mode, where);
  });
  return set;
}

/**
 * The table with its top-level Int64/Uint64 columns as Float64 ("number", range-checked) or Utf8
 * ("string"); the result shares the native memory of `table` (closing either frees it).
 */
export function convertTable(table: ArrowTable, mode: Int64Mode): ArrowTable {
  if (mode === "bigint") return table;
  const wide = table.schema.fields.map((f) => DataType.isInt(f.type) && f.type.bitWidth === 64);
  if (!wide.includes(true)) return table;
  const fields = table.schema.fields.map((f, i) =>
    wide[i] ? new Field(f.name, mode === "number" ? new Float64() : new Utf8(), f.nullable, f.metadata) : f
  );
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((child, i) => {
      if (!wide[i]) return child;
      const where = `column ${fields[i].name}`;
      const values = [...(batch.getChildAt(i) as unknown as Iterable<bigint | null>)].map((v) =>
        v === null ? null : mode === "number" ? toNumber(v, where) : String(v)
      );
      return vectorFromArray(values, fields[i].type).data[0];
    });
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  return table.rebuilt(schema, batches as never) as ArrowTable;
}

/** convertTable(), closing `table` when a value cannot be converted. */
export function tableWithInt64(table: ArrowTable, mode: Int64Mode): ArrowTable {
  try {
    return convertTable(table, mode);
  } catch (e) {
    table.close();
    throw e;
  }
}
