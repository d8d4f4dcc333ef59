// DateTime columns as timestamps. The engine exports DateTime as plain uint32 seconds without
// its timezone (only DateTime64 becomes an Arrow timestamp), so a result with uint32 columns is
// described once more (DESCRIBE of the same query) to find which of them are DateTime, and those
// become Timestamp(SECOND, timezone) columns (a copy, 8 bytes per value, of these columns only).
import { Data, Field, makeData, RecordBatch, Schema, Struct, Timestamp, TimeUnit, Type } from "apache-arrow";
import { RESULT_INFO_WORDS, Status } from "../../ffi/symbols.ts";
import type { Pointer } from "../../ffi/types.ts";
import { fromUtf8, utf8 } from "../encoding.ts";
import { native } from "../native.ts";
import { ArrowTable } from "./table.ts";

const out = new BigUint64Array(1);
const info = new BigUint64Array(RESULT_INFO_WORDS);
let serverTimezone: string | undefined;

/** Runs a query for its text output; undefined when the engine rejects it. */
function text(handle: Pointer, sql: string, params: Uint8Array): string | undefined {
  const lib = native();
  const sqlBytes = utf8(sql);
  const format = utf8("TSV");
  const status = lib.fn.chffi_query(handle, sqlBytes, sqlBytes.length, format, format.length, params, params.length, out, info);
  const result = lib.pointer(out[0]);
  try {
    return status === Status.OK ? fromUtf8(lib.copy(info[0], Number(info[1]))) : undefined;
  } finally {
    lib.fn.chffi_result_free(result);
  }
}

const dateTimeType = /^(?:Nullable\()?DateTime(?:\('([^']*)'\))?\)?$/;

/** The timezone of each top-level DateTime column, by column index; empty when there are none. */
function dateTimeColumns(handle: Pointer, sql: string, params: Uint8Array): Map<number, string> {
  const found = new Map<number, string>();
  const body = sql.trim().replace(/;+\s*$/, "");
  const described = text(handle, `DESCRIBE TABLE (\n${body}\n)`, params);
  if (described === undefined) return found; // not a single SELECT: leave the columns as they are
  described.split("\n").filter((l) => l !== "").forEach((line, i) => {
    const type = (line.split("\t")[1] ?? "").replace(/\\(.)/g, "$1"); // TSV escapes quotes
    const m = dateTimeType.exec(type);
    if (m) found.set(i, m[1] ?? (serverTimezone ??= text(handle, "SELECT timezone()", new Uint8Array(0))?.trim() ?? "UTC"));
  });
  return found;
}

function toTimestamps(data: Data, type: Timestamp): Data {
  const seconds = data.values as Uint32Array;
  const words = new Uint32Array(data.length * 2); // little-endian int64: low word, high word 0
  for (let i = 0; i < data.length; i++) words[2 * i] = seconds[i];
  return makeData({
    type,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined,
    offset: data.offset,
    data: new BigInt64Array(words.buffer),
  } as never);
}

/** The table with its DateTime columns as Timestamp(SECOND, tz); the table itself if it has none. */
export function withTimestamps(table: ArrowTable, handle: Pointer, sql: string, params: Uint8Array): ArrowTable {
  const uint32 = table.schema.fields.some((f) => f.type.typeId === Type.Int && String(f.type) === "Uint32");
  if (!uint32) return table;
  const columns = dateTimeColumns(handle, sql, params);
  if (columns.size === 0) return table;
  const fields = table.schema.fields.map((f, i) => {
    const tz = columns.get(i);
    return tz === undefined || String(f.type) !== "Uint32" ? f : new Field(f.name, new Timestamp(TimeUnit.SECOND, tz), f.nullable, f.metadata);
  });
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((child, i) =>
      fields[i] === table.schema.fields[i] ? child : toTimestamps(child, fields[i].type as Timestamp)
    );
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
  });
  return table.rebuilt(schema, batches);
}
