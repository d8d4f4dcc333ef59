// Rows of JS values read off the Arrow buffers the shim built from the engine's Native output,
// column by column (the cursors' path; each field carries its ClickHouse type as metadata).
// Results of other types come as RowBinaryWithNamesAndTypes and go through decode_rows.ts instead;
// the values are the same either way (tests/rows_from_arrow.test.ts compares the two).
import type { Data, Table } from "../arrow/apache_arrow.ts";
import type { RowsResult } from "../arrow/query_arrow.ts";
import { ChdbError } from "../core/errors.ts";
import { decodeRows } from "./decode_rows.ts";
import { type Column, DAY_MS, decimalText, type RowSet } from "./row_set.ts";

const utf8 = new TextDecoder();

/** The values of one column of one batch, indexable by row. */
type ColumnValues = ArrayLike<unknown>;
type ColumnReader = (data: Data) => ColumnValues;

/** The typed array of a fixed-width column's values, from its first row. */
function valuesOf<T extends { subarray(begin: number, end: number): T }>(data: Data): T {
  return (data.values as unknown as T).subarray(data.offset, data.offset + data.length);
}

function booleans(data: Data): boolean[] {
  const bits = data.values as Uint8Array;
  const out = new Array<boolean>(data.length);
  for (let i = 0, at = data.offset; i < data.length; i++, at++) out[i] = (bits[at >> 3] & (1 << (at & 7))) !== 0;
  return out;
}

// One decode of the batch's bytes and a substring per value when every byte became one UTF-16
// unit (ASCII, or lone invalid bytes that each became U+FFFD); else each value on its own.
function strings(data: Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const n = data.length;
  const first = data.offset;
  const start = offsets[first];
  const end = offsets[first + n];
  const out = new Array<string>(n);
  const whole = utf8.decode(bytes.subarray(start, end));
  if (whole.length === end - start) {
    for (let i = 0; i < n; i++) out[i] = whole.substring(offsets[first + i] - start, offsets[first + i + 1] - start);
  } else {
    for (let i = 0; i < n; i++) out[i] = utf8.decode(bytes.subarray(offsets[first + i], offsets[first + i + 1]));
  }
  return out;
}

/** The bytes of a fixed-width column's values (of `width` bytes each), from its first row. */
function bytesOf(data: Data, width: number): Uint8Array {
  const values = data.values as unknown as ArrayBufferView;
  return new Uint8Array(values.buffer, values.byteOffset + data.offset * width, data.length * width);
}

function fixedStrings(width: number): ColumnReader {
  return (data) => {
    const bytes = bytesOf(data, width);
    return Array.from({ length: data.length }, (_, i) => {
      let end = (i + 1) * width;
      while (end > i * width && bytes[end - 1] === 0) end--; // the engine pads with NUL bytes
      return utf8.decode(bytes.subarray(i * width, end));
    });
  };
}

function dates(scale: number): ColumnReader {
  return (data) => {
    const values = valuesOf<Int32Array | Uint32Array>(data);
    const out = new Array<Date>(data.length);
    for (let i = 0; i < data.length; i++) out[i] = new Date(values[i] * scale);
    return out;
  };
}

/** Little-endian two's-complement integers of `bytes` bytes each. */
function bigints(bytes: number, signed: boolean): (data: Data) => bigint[] {
  return (data) => {
    const words = new BigUint64Array(bytesOf(data, bytes).slice().buffer); // an aligned copy
    const perValue = bytes / 8;
    return Array.from({ length: data.length }, (_, i) => {
      let v = 0n;
      for (let k = perValue - 1; k >= 0; k--) v = (v << 64n) | words[i * perValue + k];
      return signed ? BigInt.asIntN(bytes * 8, v) : v;
    });
  };
}

const DECIMAL = /^Decimal\((\d+), (\d+)\)$/;
const FIXED_STRING = /^FixedString\((\d+)\)$/;

function readerOf(type: string): ColumnReader {
  switch (type) {
    case "UInt8": case "Int8": case "UInt16": case "Int16": case "UInt32": case "Int32":
    case "UInt64": case "Int64": case "Float32": case "Float64":
      return (data) => valuesOf<Uint8Array>(data); // number or bigint, as the typed array reads
    case "Bool":
      return booleans;
    case "String":
      return strings;
    case "Date": case "Date32":
      return dates(DAY_MS);
    case "Int128": case "UInt128":
      return bigints(16, type === "Int128");
    case "Int256": case "UInt256":
      return bigints(32, type === "Int256");
  }
  if (type === "DateTime" || type.startsWith("DateTime('")) return dates(1000);
  const fixed = FIXED_STRING.exec(type);
  if (fixed) return fixedStrings(Number(fixed[1]));
  const decimal = DECIMAL.exec(type);
  if (decimal) {
    const bytes = Number(decimal[1]) > 38 ? 32 : 16;
    const integers = bigints(bytes, true);
    const scale = Number(decimal[2]);
    return (data) => integers(data).map((v) => decimalText(v, scale));
  }
  throw new ChdbError(`no row reader for the ClickHouse type ${type} in an Arrow result`);
}

function columnReader(type: string): ColumnReader {
  if (!type.startsWith("Nullable(")) return readerOf(type);
  const values = readerOf(type.slice(9, -1));
  return (data) => {
    const column = values(data);
    if (data.nullCount === 0) return column;
    const bits = data.nullBitmap!;
    return Array.from({ length: data.length }, (_, i) => {
      const at = data.offset + i;
      return (bits[at >> 3] & (1 << (at & 7))) !== 0 ? column[i] : null;
    });
  };
}

/** Builds rows from columns: `rows[base + i] = [c0[i], c1[i], ...]`, generated once per width. */
type Assemble = (columns: ColumnValues[], rows: unknown[][], base: number, n: number) => void;
const assemblers = new Map<number, Assemble>();

function assemblerFor(width: number): Assemble {
  let assemble = assemblers.get(width);
  if (assemble === undefined) {
    const names = Array.from({ length: width }, (_, k) => `c${k}`);
    const body = `const [${names.join(", ")}] = columns;
      for (let i = 0; i < n; i++) rows[base + i] = [${names.map((c) => `${c}[i]`).join(", ")}];`;
    assemble = new Function("columns", "rows", "base", "n", body) as Assemble;
    assemblers.set(width, assemble);
  }
  return assemble;
}

/** The rows of an Arrow result whose fields carry "clickhouse.type" metadata. */
export function rowsFromArrow(table: Table): RowSet {
  const columns: Column[] = table.schema.fields.map((field) => {
    const type = field.metadata.get("clickhouse.type");
    if (type === undefined) throw new ChdbError(`column ${field.name} of the Arrow result carries no ClickHouse type`);
    return { name: field.name, type };
  });
  const readers = columns.map((c) => columnReader(c.type));
  const assemble = assemblerFor(columns.length);
  const rows: unknown[][] = new Array(table.numRows);
  let base = 0;
  for (const batch of table.batches) {
    const values = readers.map((read, k) => read(batch.getChildAt(k)!.data[0]));
    assemble(values, rows, base, batch.numRows);
    base += batch.numRows;
  }
  return { columns, rows };
}

/** The rows of a statement's result for row readers (cursors, statements). */
export function rowSetOf(result: RowsResult): RowSet {
  if (result.table === null) return decodeRows(result.rowBinary);
  try {
    return rowsFromArrow(result.table);
  } finally {
    result.table.close();
  }
}
