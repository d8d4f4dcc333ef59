// JS data to apache-arrow, once, at registration: arrays of row objects, records of column
// arrays (JS arrays or typed arrays; typed arrays are used in place) and TableReaders.
//
// Column types are inferred from the values: integers -> Int64, other numbers -> Float64,
// bigint -> Int64 (UInt64 when a value needs it), string -> Utf8, boolean -> Bool,
// Date -> Timestamp(ms, UTC) (DateTime64(3, 'UTC')), Uint8Array -> Binary, arrays -> List of
// the elements' type. null/undefined make the column Nullable; a column of only nulls is a
// Nullable String. Mixed kinds in one column, and values with no SQL type, are errors.
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from "./apache_arrow.ts";
import { ChdbArgumentError, ChdbError } from "../core/errors.ts";

/**
 * Data produced batch by batch (the chDB `PyReader` idea). Subclass it and implement
 * `read(columns, count)`: up to `count` rows of the named columns, as one array per column in
 * that order, and `[]` (or empty columns) when there is nothing left. The column names come from
 * `getSchema()` when the subclass defines it (`[name, clickhouseType][]`), otherwise from the
 * keys of the `data` given to the constructor. The reader is drained once, at registration.
 */
export abstract class TableReader {
  /** The data given to the constructor, if any. */
  readonly data: Record<string, unknown> | undefined;
  /** A reader over `data` (a subclass may ignore it and read from elsewhere). */
  constructor(data?: Record<string, unknown>) {
    this.data = data;
  }
  /** The values of `columns` for the next `count` rows (one array-like per column; fewer rows at the end). */
  abstract read(columns: string[], count: number): ArrayLike<unknown>[];
  // getSchema(): [string, string][] is optional and looked up at run time (declaring it here
  // would force `override` on every subclass that defines it).
}

function declaredSchema(reader: TableReader): [string, string][] | undefined {
  const getSchema = (reader as { getSchema?: () => [string, string][] }).getSchema;
  if (typeof getSchema !== "function") return undefined;
  try {
    return getSchema.call(reader);
  } catch (e) {
    throw new ChdbError(`TableReader.getSchema() threw: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

type Kind = "integer" | "float" | "bigint" | "string" | "boolean" | "date" | "binary" | "array";

function kindOf(v: unknown, column: string, row: number): Kind {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && Number.isSafeInteger(v) ? "integer" : "float";
    case "bigint":
      return "bigint";
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "object":
      if (v instanceof Date) return "date";
      if (v instanceof Uint8Array) return "binary";
      if (Array.isArray(v)) return "array";
  }
  const what = typeof v === "object" ? `a ${(v as object).constructor?.name ?? "object"}` : `a ${typeof v}`;
  throw new ChdbArgumentError(`column "${column}" row ${row}: ${what} has no SQL type`);
}

/** The Arrow type for a column of JS values. */
function inferType(values: ArrayLike<unknown>, column: string): DataType {
  let kind: Kind | undefined;
  let firstRow = 0;
  let unsigned64 = false;
  const elements: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    let k = kindOf(v, column, i);
    if (kind === "float" && k === "integer") k = "float";
    if (kind === "integer" && k === "float") kind = "float";
    if (kind !== undefined && k !== kind) {
      throw new ChdbArgumentError(`column "${column}" mixes ${kind} (row ${firstRow}) and ${k} (row ${i}) values`);
    }
    if (kind === undefined) firstRow = i;
    kind = k;
    if (k === "bigint" && (v as bigint) > 0x7fffffffffffffffn) unsigned64 = true;
    if (k === "array") { for (const e of v as unknown[]) elements.push(e); }
  }
  switch (kind) {
    case undefined:
    case "string":
      return new Utf8();
    case "integer":
      return new Int64();
    case "float":
      return new Float64();
    case "bigint":
      return unsigned64 ? new Uint64() : new Int64();
    case "boolean":
      return new Bool();
    case "date":
      return new TimestampMillisecond("UTC");
    case "binary":
      return new Binary();
    case "array": {
      const child = inferType(elements, `${column}[]`);
      return new List(new Field("item", child, elements.some((e) => e === null || e === undefined)));
    }
  }
}

const encoder = new TextEncoder();

function validity(values: ArrayLike<unknown>): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === null || values[i] === undefined) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null && values[i] !== undefined) bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

function wrongValue(column: string, row: number, v: unknown, type: DataType): never {
  throw new ChdbArgumentError(
    `column "${column}" row ${row}: ${typeof v} ${String(v).slice(0, 40)} does not fit ${type}`,
  );
}

function encodeStrings(values: ArrayLike<unknown>, column: string, type: DataType, asBytes: boolean) {
  const offsets = new Int32Array(values.length + 1);
  let data: Uint8Array = new Uint8Array(Math.max(64, values.length * 8));
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      if (asBytes) {
        if (!(v instanceof Uint8Array)) wrongValue(column, i, v, type);
        while (pos + v.length > data.length) data = grow(data, pos + v.length);
        data.set(v, pos);
        pos += v.length;
      } else {
        if (typeof v !== "string") wrongValue(column, i, v, type);
        if (data.length - pos < v.length * 3) data = grow(data, pos + v.length * 3);
        pos += encoder.encodeInto(v, data.subarray(pos)).written;
      }
      if (pos > 0x7fffffff) {
        throw new ChdbArgumentError(`column "${column}" holds more than 2 GiB of text in one batch`);
      }
    }
    offsets[i + 1] = pos;
  }
  return { valueOffsets: offsets, data: data.subarray(0, pos) };
}

function grow(data: Uint8Array, atLeast: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(atLeast, data.length * 2));
  bigger.set(data);
  return bigger;
}

const typedArrayTypes: [new (...a: never[]) => ArrayBufferView, () => DataType][] = [
  [Float64Array, () => new Float64()],
  [Float32Array, () => new Float32()],
  [Int8Array, () => new Int8()],
  [Int16Array, () => new Int16()],
  [Int32Array, () => new Int32()],
  [BigInt64Array, () => new Int64()],
  [Uint8Array, () => new Uint8()],
  [Uint16Array, () => new Uint16()],
  [Uint32Array, () => new Uint32()],
  [BigUint64Array, () => new Uint64()],
];

/** The Data of one column of JS values, as `type`. */
function columnData(values: ArrayLike<unknown>, type: DataType, column: string): Data {
  const length = values.length;
  const { bitmap, nulls } = validity(values);
  const base = { type, length, nullCount: nulls, nullBitmap: bitmap } as Record<string, unknown>;
  const present = (i: number) => values[i] !== null && values[i] !== undefined;
  switch (type.typeId) {
    case Type.Utf8:
    case Type.Binary:
      return makeData({ ...base, ...encodeStrings(values, column, type, type.typeId === Type.Binary) } as never);
    case Type.Bool: {
      const bits = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        if (typeof values[i] !== "boolean") wrongValue(column, i, values[i], type);
        if (values[i]) bits[i >> 3] |= 1 << (i & 7);
      }
      return makeData({ ...base, data: bits } as never);
    }
    case Type.Timestamp: {
      const out = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        const ms = v instanceof Date ? v.getTime() : NaN;
        if (Number.isNaN(ms)) wrongValue(column, i, v, type);
        out[i] = BigInt(ms);
      }
      return makeData({ ...base, data: out } as never);
    }
    case Type.List: {
      const offsets = new Int32Array(length + 1);
      const elements: unknown[] = [];
      for (let i = 0; i < length; i++) {
        if (present(i)) {
          if (!Array.isArray(values[i])) wrongValue(column, i, values[i], type);
          for (const e of values[i] as unknown[]) elements.push(e);
        }
        offsets[i + 1] = elements.length;
      }
      const child = columnData(elements, (type as List).children[0].type, `${column}[]`);
      return makeData({ ...base, valueOffsets: offsets, child } as never);
    }
    case Type.Int:
    case Type.Float: {
      const Ctor =
        (type as unknown as { ArrayType: new (n: number) => ArrayLike<number | bigint> & Record<number, unknown> })
          .ArrayType;
      const out = new Ctor(length);
      const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
      const bits = (type as unknown as { bitWidth?: number }).bitWidth;
      const signed = (type as unknown as { isSigned?: boolean }).isSigned;
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        if (type.typeId === Type.Float) {
          if (typeof v !== "number" && typeof v !== "bigint") wrongValue(column, i, v, type);
          out[i] = Number(v);
          continue;
        }
        let n: bigint;
        if (typeof v === "bigint") n = v;
        else if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
        else wrongValue(column, i, v, type);
        const min = signed ? -(1n << BigInt(bits! - 1)) : 0n;
        const max = signed ? (1n << BigInt(bits! - 1)) - 1n : (1n << BigInt(bits!)) - 1n;
        if (n < min || n > max) wrongValue(column, i, v, type);
        out[i] = big ? n : Number(n);
      }
      return makeData({ ...base, data: out } as never);
    }
  }
  throw new ChdbArgumentError(`column "${column}": cannot build ${type} from JS values`);
}

/** A column given as a typed array (used in place) or as JS values. */
function column(values: unknown, column: string, declared?: DataType): Data {
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const match = typedArrayTypes.find(([Ctor]) => values instanceof Ctor);
    if (match && (declared === undefined || String(declared) === String(match[1]()))) {
      return makeData({ type: match[1](), length: (values as Uint8Array).length, data: values } as never);
    }
    const items = Array.from(values as unknown as ArrayLike<unknown>);
    return columnData(items, declared ?? inferType(items, column), column);
  }
  if (!Array.isArray(values)) {
    throw new ChdbArgumentError(
      `column "${column}" must be an array or a typed array, got ${values === null ? "null" : typeof values}`,
    );
  }
  return columnData(values, declared ?? inferType(values, column), column);
}

/** One RecordBatch from named columns; `schema` fixes the types (else they are inferred). */
function batchOf(names: string[], columns: unknown[], schema?: Schema): RecordBatch {
  if (names.length === 0) throw new ChdbArgumentError("a table needs at least one column");
  const lengths = columns.map((c) => (c as ArrayLike<unknown>)?.length);
  const data = columns.map((c, i) => column(c, names[i], schema?.fields[i].type));
  const length = data[0].length;
  const ragged = data.findIndex((d) => d.length !== length);
  if (ragged >= 0) {
    throw new ChdbArgumentError(
      `columns have different lengths: "${names[0]}" has ${lengths[0]} values, "${names[ragged]}" has ${
        lengths[ragged]
      }`,
    );
  }
  const fields = data.map((d, i) => new Field(names[i], d.type, schema ? schema.fields[i].nullable : d.nullCount > 0));
  const s = schema ?? new Schema(fields);
  return new RecordBatch(s, makeData({ type: new Struct(s.fields), length, nullCount: 0, children: data }));
}

function fromColumns(record: Record<string, unknown>): Table {
  const names = Object.keys(record);
  return new Table([batchOf(names, names.map((n) => record[n]))]);
}

function fromRows(rows: readonly unknown[]): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new ChdbArgumentError(`row ${i} is not an object of { column: value }`);
    }
    for (const k of Object.keys(row)) if (!seen.has(k)) seen.add(k), names.push(k);
  });
  const columns = names.map((n) => rows.map((r) => (r as Record<string, unknown>)[n]));
  return new Table([batchOf(names, columns)]);
}

const clickhouseTypes: Record<string, () => DataType> = {
  Int8: () => new Int8(),
  Int16: () => new Int16(),
  Int32: () => new Int32(),
  Int64: () => new Int64(),
  UInt8: () => new Uint8(),
  UInt16: () => new Uint16(),
  UInt32: () => new Uint32(),
  UInt64: () => new Uint64(),
  Float32: () => new Float32(),
  Float64: () => new Float64(),
  String: () => new Utf8(),
  Bool: () => new Bool(),
  "DateTime64(3, 'UTC')": () => new TimestampMillisecond("UTC"),
};

function fieldFor(name: string, clickhouseType: string): Field {
  const nullable = /^Nullable\((.*)\)$/.exec(clickhouseType);
  const inner = nullable ? nullable[1] : clickhouseType;
  const array = /^Array\((.*)\)$/.exec(inner);
  if (array) {
    const child = fieldFor("item", array[1]);
    return new Field(name, new List(child), nullable !== null);
  }
  const make = clickhouseTypes[inner];
  if (!make) {
    throw new ChdbArgumentError(
      `TableReader.getSchema(): type ${clickhouseType} of column "${name}" is not supported (use ${
        Object.keys(clickhouseTypes).join(", ")
      }, Nullable(T), Array(T))`,
    );
  }
  return new Field(name, make(), nullable !== null);
}

export const READER_BATCH_ROWS = 65536;

function fromReader(reader: TableReader): Table {
  let schema: Schema | undefined;
  let names: string[];
  const declared = declaredSchema(reader);
  if (declared !== undefined) {
    if (
      !Array.isArray(declared) ||
      declared.some((e) => !Array.isArray(e) || typeof e[0] !== "string" || typeof e[1] !== "string")
    ) {
      throw new ChdbArgumentError("TableReader.getSchema() must return [name, clickhouseType][]");
    }
    schema = new Schema(declared.map(([n, t]) => fieldFor(n, t)));
    names = declared.map(([n]) => n);
  } else if (reader.data && typeof reader.data === "object") {
    names = Object.keys(reader.data);
  } else {
    throw new ChdbArgumentError("a TableReader needs getSchema() or data given to its constructor to name its columns");
  }
  const batches: RecordBatch[] = [];
  for (;;) {
    let chunk: ArrayLike<unknown>[];
    try {
      chunk = reader.read([...names], READER_BATCH_ROWS);
    } catch (e) {
      throw new ChdbError(`TableReader.read() threw: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (!Array.isArray(chunk)) throw new ChdbArgumentError("TableReader.read() must return an array of column arrays");
    if (chunk.length === 0 || chunk.every((c) => c?.length === 0)) break;
    if (chunk.length !== names.length) {
      throw new ChdbArgumentError(`TableReader.read() returned ${chunk.length} columns for ${names.length} requested`);
    }
    const batch = batchOf(names, chunk, schema);
    schema ??= batch.schema; // later batches must have the first batch's types
    batches.push(batch);
    if (batches.length > 1e6) throw new ChdbArgumentError("TableReader.read() never signalled its end with []");
  }
  if (schema === undefined) {
    throw new ChdbArgumentError("a TableReader without getSchema() returned no rows: its column types are unknown");
  }
  return new Table(schema, batches);
}

/** Any supported input as an apache-arrow Table (Arrow input as is). */
export function toArrowTable(data: unknown): Table {
  if (data instanceof Table) return data;
  if (data instanceof RecordBatch) return new Table([data]);
  if (data instanceof TableReader) return fromReader(data);
  if (Array.isArray(data)) return fromRows(data);
  if (data !== null && typeof data === "object" && Object.getPrototypeOf(data) === Object.prototype) {
    return fromColumns(data as Record<string, unknown>);
  }
  const what = data === null
    ? "null"
    : typeof data === "object"
    ? (data as object).constructor?.name ?? "object"
    : typeof data;
  throw new ChdbArgumentError(
    `cannot use ${what} as a table: pass an apache-arrow Table or RecordBatch, an array of row objects, a record of column arrays, or a TableReader`,
  );
}
