// Keeping the rows of an Arrow RecordBatch where a Bool mask is true (null counts as false).
// Fixed-width, string/binary, bool and dictionary columns are gathered buffer to buffer; other
// (nested) types go through a Builder row by row.
import {
  type Bool,
  type Data,
  DataType,
  makeBuilder,
  makeData,
  RecordBatch,
  Struct,
  type TypeMap,
  Vector,
} from "./apache_arrow.ts";

/** Row indices where the mask chunk is true and valid. */
export function selectedRows(mask: Data<Bool>): Int32Array {
  const out = new Int32Array(mask.length);
  const values = mask.values as Uint8Array;
  const validity = mask.nullCount > 0 ? mask.nullBitmap : undefined;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    const bit = mask.offset + i;
    if (((values[bit >> 3] >> (bit & 7)) & 1) && (!validity || ((validity[bit >> 3] >> (bit & 7)) & 1))) out[n++] = i;
  }
  return out.subarray(0, n);
}

function takeValidity(data: Data, rows: Int32Array): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return { nullBitmap: undefined, nullCount: 0 };
  const src = data.nullBitmap;
  const out = new Uint8Array((rows.length + 7) >> 3);
  let nulls = 0;
  for (let j = 0; j < rows.length; j++) {
    const bit = data.offset + rows[j];
    if ((src[bit >> 3] >> (bit & 7)) & 1) out[j >> 3] |= 1 << (j & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullBitmap: undefined, nullCount: 0 } : { nullBitmap: out, nullCount: nulls };
}

type TypedArray = { length: number; subarray(a: number, b: number): TypedArray; set(a: TypedArray, o: number): void };
type TypedArrayCtor = new (n: number) => TypedArray;

function takeVariableWidth(data: Data, rows: Int32Array): Data {
  const offsets = data.valueOffsets as unknown as Int32Array | BigInt64Array;
  const values = data.values as Uint8Array;
  const large = offsets instanceof BigInt64Array;
  const outOffsets = large ? new BigInt64Array(rows.length + 1) : new Int32Array(rows.length + 1);
  let total = 0;
  for (let j = 0; j < rows.length; j++) total += Number(offsets[rows[j] + 1]) - Number(offsets[rows[j]]);
  const outValues = new Uint8Array(total);
  let pos = 0;
  for (let j = 0; j < rows.length; j++) {
    const begin = Number(offsets[rows[j]]);
    const end = Number(offsets[rows[j] + 1]);
    outValues.set(values.subarray(begin, end), pos);
    pos += end - begin;
    if (large) (outOffsets as BigInt64Array)[j + 1] = BigInt(pos);
    else (outOffsets as Int32Array)[j + 1] = pos;
  }
  return makeData({ type: data.type, length: rows.length, valueOffsets: outOffsets, data: outValues, ...takeValidity(data, rows) } as never);
}

function takeBool(data: Data, rows: Int32Array): Data {
  const values = data.values as Uint8Array;
  const out = new Uint8Array((rows.length + 7) >> 3);
  for (let j = 0; j < rows.length; j++) {
    const bit = data.offset + rows[j];
    if ((values[bit >> 3] >> (bit & 7)) & 1) out[j >> 3] |= 1 << (j & 7);
  }
  return makeData({ type: data.type, length: rows.length, data: out, ...takeValidity(data, rows) } as never);
}

// Fixed-width values (numbers, dates, timestamps, decimals, fixed-size binary, dictionary indices):
// `stride` elements of the values array per row, the array already starting at the first row.
function takeFixedWidth(data: Data, rows: Int32Array): Data {
  const values = data.values as unknown as TypedArray;
  const width = data.stride;
  const out = new (values.constructor as TypedArrayCtor)(rows.length * width);
  if (width === 1) {
    for (let j = 0; j < rows.length; j++) (out as unknown as number[])[j] = (values as unknown as number[])[rows[j]];
  } else {
    for (let j = 0; j < rows.length; j++) out.set(values.subarray(rows[j] * width, rows[j] * width + width), j * width);
  }
  return makeData({
    type: data.type,
    length: rows.length,
    data: out,
    dictionary: data.dictionary,
    ...takeValidity(data, rows),
  } as never);
}

// Nested values as the builders take them: lists as arrays, structs and maps as plain objects.
function plain(value: unknown): unknown {
  if (value instanceof Vector) return Array.from(value, plain);
  if (value !== null && typeof value === "object" && !(value instanceof Date) && !ArrayBuffer.isView(value) &&
    typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return Object.fromEntries(Object.entries((value as { toJSON(): object }).toJSON()).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function takeByBuilder(data: Data, rows: Int32Array): Data {
  const vector = new Vector([data]);
  const builder = makeBuilder({ type: data.type, nullValues: [null, undefined] });
  for (let j = 0; j < rows.length; j++) builder.append(plain(vector.get(rows[j])));
  return builder.finish().flush();
}

/** The rows `rows` (ascending indices) of one column chunk. */
export function takeData(data: Data, rows: Int32Array): Data {
  const type = data.type as DataType;
  if (rows.length === data.length) return data;
  if (
    DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBinary(type) || DataType.isLargeBinary(type)
  ) return takeVariableWidth(data, rows);
  if (DataType.isBool(type)) return takeBool(data, rows);
  if (
    DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTimestamp(type) ||
    DataType.isTime(type) || DataType.isDecimal(type) || DataType.isDuration(type) ||
    DataType.isFixedSizeBinary(type) || DataType.isDictionary(type)
  ) return takeFixedWidth(data, rows);
  if (DataType.isNull(type)) return makeData({ type: data.type, length: rows.length } as never);
  return takeByBuilder(data, rows);
}

/** The batch's rows where `mask` (a Bool chunk of the same length) is true. */
export function takeBatch<T extends TypeMap>(batch: RecordBatch<T>, mask: Data<Bool>): RecordBatch<T> {
  const rows = selectedRows(mask);
  if (rows.length === batch.numRows) return batch;
  const children = batch.data.children.map((child) => takeData(child, rows));
  const data = makeData({ type: new Struct(batch.schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(batch.schema, data as never) as RecordBatch<T>;
}
