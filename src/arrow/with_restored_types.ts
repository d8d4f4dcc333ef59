// DateTime and Enum columns restored from what the engine exports: DateTime comes out as plain
// uint32 seconds without its timezone (only DateTime64 becomes an Arrow timestamp) and Enum as its
// int8/int16 codes. Which columns they are comes from the fields' "clickhouse.type" metadata when
// the shim built the result (src/arrow/query_arrow.ts asks for it) and it has no DateTime column (the
// engine's Native format, which the shim reads, drops their timezone); other results with
// Uint32/Int8/Int16 columns are described once more (DESCRIBE of the same query, which reads no
// data). DateTime columns become
// Timestamp(SECOND, timezone) and Enum columns Dictionary(Int32, Utf8) of their names (copies of
// these columns only).
import {
  type Data,
  type DataType,
  Dictionary,
  Field,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Timestamp,
  TimeUnit,
  Utf8,
  type Vector,
  vectorFromArray,
} from "./apache_arrow.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbError } from "../core/errors.ts";
import type { Pointer } from "../core/native.ts";
import { runQuery } from "../core/query_calls.ts";
import type { ArrowTable } from "./arrow_table.ts";

let serverTimezone: string | undefined;

/** Runs a query for its text output; undefined when the engine rejects it. */
function text(handle: Pointer, sql: string, params: Uint8Array): string | undefined {
  try {
    return runQuery(handle, utf8(sql), utf8("TSV"), params, "TSV").text();
  } catch (e) {
    if (e instanceof ChdbError) return undefined; // the engine's rejection is an answer here
    throw e;
  }
}

const dateTimeType = /^(?:Nullable\()?DateTime(?:\('([^']*)'\))?\)?$/;
const enumType = /^(?:Nullable\()?Enum(?:8|16)\((.*)\)\)?$/;

/** How a column is restored: a DateTime's timezone, or an Enum's names by code. */
type Restore = { timezone: string } | { names: Map<number, string> };

function enumNames(body: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const m of body.matchAll(/'((?:[^'\\]|\\.)*)'\s*=\s*(-?\d+)/g)) {
    names.set(Number(m[2]), m[1].replace(/\\(.)/g, "$1"));
  }
  return names;
}

/** The ClickHouse types of a query's result columns (DESCRIBE reads no data); undefined when it is not a single SELECT. */
function describedTypes(handle: Pointer, sql: string, params: Uint8Array): string[] | undefined {
  const body = sql.trim().replace(/;+\s*$/, "");
  const described = text(handle, `DESCRIBE TABLE (\n${body}\n)`, params);
  return described?.split("\n").filter((l) => l !== "").map((line) => (line.split("\t")[1] ?? "").replace(/\\(.)/g, "$1")); // TSV escapes quotes
}

/** The ClickHouse types the shim put in the fields' metadata; undefined when a field has none. */
function fieldTypes(table: ArrowTable): string[] | undefined {
  const types: string[] = [];
  for (const field of table.schema.fields) {
    const type = field.metadata.get(TYPE_KEY);
    if (type === undefined) return undefined;
    types.push(type);
  }
  return types;
}

/** The top-level DateTime and Enum columns, by column index; empty when there are none. */
function columnsToRestore(table: ArrowTable, handle: Pointer, sql: string, params: Uint8Array): Map<number, Restore> {
  const found = new Map<number, Restore>();
  const known = fieldTypes(table);
  // The engine's Native format drops a DateTime's timezone ("DateTime('Asia/Tokyo')" arrives as
  // "DateTime"): only DESCRIBE tells it.
  const types = known === undefined || known.some((type) => dateTimeType.test(type)) ? describedTypes(handle, sql, params) : known;
  types?.forEach((type, i) => {
    const dt = dateTimeType.exec(type);
    if (dt) {
      found.set(i, {
        timezone: dt[1] ?? (serverTimezone ??= text(handle, "SELECT timezone()", new Uint8Array(0))?.trim() || "UTC"),
      });
    }
    const en = enumType.exec(type);
    if (en) found.set(i, { names: enumNames(en[1]) });
  });
  return found;
}

/** data's rows (length, offset, nulls) with other values of another type. */
function withValues(data: Data, type: DataType, values: ArrayBufferView, dictionary?: Vector): Data {
  return makeData({
    type,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined,
    offset: data.offset,
    data: values,
    dictionary,
  } as never);
}

function toTimestamps(data: Data, type: Timestamp): Data {
  const seconds = data.values as Uint32Array;
  const words = new Uint32Array(data.length * 2); // little-endian int64: low word, high word 0
  for (let i = 0; i < data.length; i++) words[2 * i] = seconds[i];
  return withValues(data, type, new BigInt64Array(words.buffer));
}

function toDictionary(
  data: Data,
  type: Dictionary<Utf8, Int32>,
  dictionary: Vector<Utf8>,
  codes: Map<number, number>,
): Data {
  const values = data.values as Int8Array | Int16Array;
  const indices = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) indices[i] = codes.get(values[i]) ?? 0;
  return withValues(data, type, indices, dictionary);
}

const candidate = new Set(["Uint32", "Int8", "Int16"]);
const TYPE_KEY = "clickhouse.type";
let enumDictionaryIds = 1 << 30;

/** The table with its DateTime and Enum columns restored; the table itself if it has none. */
export function withRestoredTypes(table: ArrowTable, handle: Pointer, sql: string, params: Uint8Array): ArrowTable {
  if (!table.schema.fields.some((f) => candidate.has(String(f.type)))) return table;
  const restore = columnsToRestore(table, handle, sql, params);
  if (restore.size === 0) return table;
  const converters = new Map<number, (d: Data) => Data>();
  const fields = table.schema.fields.map((f, i) => {
    const r = restore.get(i);
    if (r === undefined || !candidate.has(String(f.type))) return f;
    if ("timezone" in r) {
      const type = new Timestamp(TimeUnit.SECOND, r.timezone);
      converters.set(i, (d) => toTimestamps(d, type));
      return new Field(f.name, type, f.nullable, f.metadata);
    }
    const names = [...r.names.values()];
    const codes = new Map([...r.names.keys()].map((code, index) => [code, index]));
    const type = new Dictionary(new Utf8(), new Int32(), enumDictionaryIds++);
    const dictionary = vectorFromArray(names, new Utf8());
    converters.set(i, (d) => toDictionary(d, type, dictionary, codes));
    return new Field(f.name, type, f.nullable, f.metadata);
  });
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((child, i) => converters.get(i)?.(child) ?? child);
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  return table.rebuilt(schema, batches);
}
