// The seven hash-filter operations over a string column: the column's Arrow buffers are described
// to the shim (addresses, lengths, offsets) and one native call runs the whole column in place.
import { Bool, type Data, DataType, type Dictionary, type LargeUtf8, makeData, Null, type Table, type TypeMap, Utf8, Vector } from "../arrow/apache_arrow.ts";
import { CHUNK_WORDS, ColumnKind, Operation } from "../core/abi.ts";
import { ChdbArgumentError, ChdbTypeError } from "../core/errors.ts";
import { applyToHashset } from "../core/hashset_calls.ts";
import { native, type NativeLib, type Pointer } from "../core/native.ts";
import { checkKey } from "./key_encoder.ts";

type StringType = Utf8 | LargeUtf8;
/**
 * An apache-arrow `Vector<T>` (T: a DataType), spelt through Table and TypeMap: `deno doc --lint`
 * reports apache-arrow's Vector and DataType as private types, and follows these two.
 */
export type ArrowVector<T extends TypeMap[string] = TypeMap[string]> = NonNullable<ReturnType<Table<{ v: T }>["getChild"]>>;

/** What the operations accept: JS strings (null/undefined are null rows) or an Arrow string vector. */
export type StringColumn =
  | readonly (string | null | undefined)[]
  | ArrowVector<Utf8>
  | ArrowVector<LargeUtf8>
  | ArrowVector<Dictionary<Utf8>>
  | ArrowVector<Dictionary<LargeUtf8>>;
/** What the membership operations return: one boolean per row (null rows stay null). */
export type BoolVector = ArrowVector<Bool>;
/** What the operations that only change the set return: all-null rows. */
export type NullVector = ArrowVector<Null>;

const KIND_UTF8 = BigInt(ColumnKind.UTF8);
const KIND_LARGE_UTF8 = BigInt(ColumnKind.LARGE_UTF8);
const KIND_DICTIONARY = BigInt(ColumnKind.DICTIONARY);
// Encoded string[] chunks stay well below Utf8's 2 GiB offset limit.
const MAX_CHUNK_BYTES = 1 << 30;

function address(lib: NativeLib, view: ArrayBufferView | null | undefined): bigint {
  return view && view.byteLength > 0 ? lib.addressOf(view) : 0n;
}

// Writes words [0..6] of a descriptor for one Utf8/LargeUtf8 Data.
function describeStrings(lib: NativeLib, data: Data<StringType>, words: BigUint64Array, at: number, what: string): boolean {
  const large = DataType.isLargeUtf8(data.type);
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const values = data.values as Uint8Array;
  if (data.length > 0 && (offsets === undefined || offsets.length < data.length + 1)) {
    throw new ChdbArgumentError(`${what}: the offsets buffer is shorter than its ${data.length} rows`);
  }
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (validity && validity.length * 8 < data.offset + data.length) {
    throw new ChdbArgumentError(`${what}: the validity bitmap is shorter than its rows`);
  }
  words[at] = large ? KIND_LARGE_UTF8 : KIND_UTF8;
  words[at + 1] = BigInt(data.length);
  words[at + 2] = address(lib, validity);
  words[at + 3] = BigInt(data.offset);
  words[at + 4] = data.length > 0 ? address(lib, offsets) : 0n;
  words[at + 5] = address(lib, values);
  words[at + 6] = BigInt(values?.byteLength ?? 0);
  return validity !== undefined;
}

// Writes a dictionary chunk's descriptor; true if any row may be null.
function describeDictionary(
  lib: NativeLib,
  data: Data<Dictionary<StringType>>,
  words: BigUint64Array,
  at: number,
  what: string,
): boolean {
  const dictionary = data.dictionary;
  if (dictionary === undefined || dictionary.data.length > 1) {
    throw new ChdbArgumentError(`${what}: a dictionary split into ${dictionary?.data.length ?? 0} chunks is not supported`);
  }
  const indices = data.values as unknown as ArrayBufferView & { length: number; BYTES_PER_ELEMENT: number };
  if (data.length > 0 && (indices === undefined || indices.length < data.length)) {
    throw new ChdbArgumentError(`${what}: the indices buffer is shorter than its ${data.length} rows`);
  }
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (validity && validity.length * 8 < data.offset + data.length) {
    throw new ChdbArgumentError(`${what}: the validity bitmap is shorter than its rows`);
  }
  words[at] = KIND_DICTIONARY;
  words[at + 1] = BigInt(data.length);
  words[at + 2] = address(lib, validity);
  words[at + 3] = BigInt(data.offset);
  words[at + 4] = data.length > 0 ? address(lib, indices) : 0n;
  words[at + 5] = BigInt(indices?.BYTES_PER_ELEMENT ?? 4) | (data.type.indices.isSigned ? 0x100n : 0n);
  let dictNulls = false;
  if (dictionary.data.length === 1) {
    dictNulls = describeStrings(lib, dictionary.data[0] as Data<StringType>, words, at + 16, `${what} (dictionary)`);
  } else {
    words[at + 16] = DataType.isLargeUtf8(data.type.dictionary) ? KIND_LARGE_UTF8 : KIND_UTF8;
  }
  return validity !== undefined || dictNulls;
}

/** A JS string array as Utf8 Data chunks (the same path as Arrow input from then on). */
function encodeStrings(values: readonly (string | null | undefined)[]): Data<Utf8>[] {
  const encoder = new TextEncoder();
  const chunks: Data<Utf8>[] = [];
  let start = 0;
  do {
    let bytes = new Uint8Array(Math.min(MAX_CHUNK_BYTES, Math.max(64, (values.length - start) * 16)));
    const offsets = new Int32Array(values.length - start + 1);
    let validity: Uint8Array | undefined;
    let pos = 0;
    let i = start;
    for (; i < values.length; i++) {
      const row = i - start;
      const v = values[i];
      if (v === null || v === undefined) {
        validity ??= new Uint8Array((offsets.length + 7) >> 3).fill(0xff);
        validity[row >> 3] &= ~(1 << (row & 7));
        offsets[row + 1] = pos;
        continue;
      }
      checkKey(v);
      const need = pos + v.length * 3;
      if (need > MAX_CHUNK_BYTES && i > start) break; // the rest goes into the next chunk
      if (need > bytes.length) {
        const grown = new Uint8Array(Math.max(need, Math.min(bytes.length * 2, MAX_CHUNK_BYTES)));
        grown.set(bytes.subarray(0, pos));
        bytes = grown;
      }
      pos += encoder.encodeInto(v, bytes.subarray(pos)).written;
      offsets[row + 1] = pos;
    }
    const length = i - start;
    chunks.push(makeData({
      type: new Utf8(),
      length,
      valueOffsets: offsets.subarray(0, length + 1),
      data: bytes.subarray(0, pos),
      nullBitmap: validity,
      nullCount: validity ? -1 : 0,
    }));
    start = i;
  } while (start < values.length);
  return chunks;
}

/** The Arrow chunks of a column; a clear ChdbTypeError for anything but strings. */
function columnChunks(column: StringColumn): Data<StringType | Dictionary<StringType>>[] {
  if (Array.isArray(column)) return encodeStrings(column);
  if (!(column instanceof Vector)) {
    const got = column === null ? "null" : typeof column === "object" ? (column as object).constructor?.name : typeof column;
    throw new ChdbTypeError(`a hash filter takes a string[] or an Arrow Utf8/LargeUtf8/Dictionary<Utf8> vector, got ${got}`);
  }
  const type = column.type as DataType;
  const isString = (t: DataType) => DataType.isUtf8(t) || DataType.isLargeUtf8(t);
  if (!isString(type) && !(DataType.isDictionary(type) && isString(type.dictionary))) {
    throw new ChdbTypeError(
      `a hash filter works on string columns (Utf8, LargeUtf8, Dictionary<Utf8>), not on ${type}`,
    );
  }
  return column.data as Data<StringType | Dictionary<StringType>>[];
}

/**
 * Runs one operation over a whole column in a single native call (batch semantics span all of
 * the column's chunks). Returns a Bool vector chunked like the input, or a Null vector for UPDATE.
 */
export function applyOperation(handle: Pointer, op: Operation, column: StringColumn): BoolVector | NullVector {
  const lib = native();
  const chunks = columnChunks(column);
  const words = new BigUint64Array(CHUNK_WORDS * Math.max(1, chunks.length));
  const wantResult = op !== Operation.UPDATE;
  const outputs: { values: Uint8Array; validity: Uint8Array | undefined; length: number }[] = [];
  chunks.forEach((data, n) => {
    const at = n * CHUNK_WORDS;
    const what = `column chunk ${n}`;
    const mayBeNull = DataType.isDictionary(data.type)
      ? describeDictionary(lib, data as Data<Dictionary<StringType>>, words, at, what)
      : describeStrings(lib, data as Data<StringType>, words, at, what);
    if (!wantResult) return;
    const bytes = (data.length + 7) >> 3;
    const out = { values: new Uint8Array(bytes), validity: mayBeNull ? new Uint8Array(bytes) : undefined, length: data.length };
    words[at + 8] = address(lib, out.values);
    words[at + 9] = address(lib, out.validity);
    outputs.push(out);
  });
  applyToHashset(handle, op, words, chunks.length);
  const length = chunks.reduce((n, d) => n + d.length, 0);
  if (!wantResult) return new Vector([makeData({ type: new Null(), length })]);
  return new Vector(outputs.map((o) =>
    makeData({
      type: new Bool(),
      length: o.length,
      data: o.values,
      nullBitmap: o.validity,
      nullCount: o.validity ? -1 : 0,
    })
  ));
}
