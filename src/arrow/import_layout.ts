// Builds apache-arrow objects from the shim's flat description of Arrow C Data Interface
// structures (native/arrow_export.cpp): the schema tree becomes Fields, every buffer a
// zero-copy typed-array view owned by a NativeArrowMemory, every array a `Data` (makeData).
import {
  Binary,
  Bool,
  type Data,
  DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  DenseUnion,
  Dictionary,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Interval,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  Map_,
  Null,
  RecordBatch,
  Schema,
  SparseUnion,
  Struct,
  Time,
  Timestamp,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from "./apache_arrow.ts";
import { ArrowFieldFlag } from "../core/abi.ts";
import { fromUtf8 } from "../core/encoding.ts";
import { ChdbError } from "../core/errors.ts";
import { native } from "../core/native.ts";
import type { NativeArrowMemory } from "./native_arrow_memory.ts";

/** Sequential reader over the layout words. */
class Words {
  #pos = 0;
  readonly #words: BigUint64Array;
  constructor(words: BigUint64Array) {
    this.#words = words;
  }
  next(): bigint {
    if (this.#pos >= this.#words.length) throw new ChdbError("malformed Arrow layout from the shim (too short)");
    return this.#words[this.#pos++];
  }
  int(): number {
    return Number(this.next());
  }
}

let dictionaryIds = 0;

function cString(address: bigint): string {
  const lib = native();
  return lib.cString(lib.pointer(address)) ?? "";
}

function parseMetadata(address: bigint, length: number): Map<string, string> {
  const metadata = new Map<string, string>();
  if (address === 0n || length < 4) return metadata;
  const bytes = native().copy(address, length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const readString = () => {
    const n = view.getInt32(pos, true);
    const s = fromUtf8(bytes.subarray(pos + 4, pos + 4 + n));
    pos += 4 + n;
    return s;
  };
  const count = view.getInt32(0, true);
  pos = 4;
  for (let i = 0; i < count; i++) {
    const key = readString();
    metadata.set(key, readString());
  }
  return metadata;
}

const timeUnits: Record<string, number> = { s: 0, m: 1, u: 2, n: 3 };

/** The apache-arrow type for a C Data Interface format string (children already converted). */
function typeOf(format: string, children: Field[], flags: number): DataType {
  switch (format) {
    case "n":
      return new Null();
    case "b":
      return new Bool();
    case "c":
      return new Int8();
    case "C":
      return new Uint8();
    case "s":
      return new Int16();
    case "S":
      return new Uint16();
    case "i":
      return new Int32();
    case "I":
      return new Uint32();
    case "l":
      return new Int64();
    case "L":
      return new Uint64();
    case "e":
      return new Float16();
    case "f":
      return new Float32();
    case "g":
      return new Float64();
    case "z":
      return new Binary();
    case "Z":
      return new LargeBinary();
    case "u":
      return new Utf8();
    case "U":
      return new LargeUtf8();
    case "tdD":
      return new DateDay();
    case "tdm":
      return new DateMillisecond();
    case "tts":
      return new Time(timeUnits.s, 32);
    case "ttm":
      return new Time(timeUnits.m, 32);
    case "ttu":
      return new Time(timeUnits.u, 64);
    case "ttn":
      return new Time(timeUnits.n, 64);
    case "tiM":
      return new Interval(0);
    case "tiD":
      return new Interval(1);
    case "tin":
      return new Interval(2);
    case "+l":
      return new List(children[0]);
    case "+L":
      return new LargeList(children[0]);
    case "+s":
      return new Struct(children);
    case "+m":
      return new Map_(children[0] as Field<Struct>, (flags & ArrowFieldFlag.MAP_KEYS_SORTED) !== 0);
  }
  let m: RegExpExecArray | null;
  if ((m = /^ts([smun]):(.*)$/.exec(format))) return new Timestamp(timeUnits[m[1]], m[2] === "" ? null : m[2]);
  if ((m = /^tD([smun])$/.exec(format))) return new Duration(timeUnits[m[1]]);
  if ((m = /^\+u([ds]):([\d,]*)$/.exec(format))) {
    const typeIds = m[2] === "" ? [] : m[2].split(",").map(Number);
    return m[1] === "d" ? new DenseUnion(typeIds, children) : new SparseUnion(typeIds, children);
  }
  if ((m = /^w:(\d+)$/.exec(format))) return new FixedSizeBinary(Number(m[1]));
  if ((m = /^\+w:(\d+)$/.exec(format))) return new FixedSizeList(Number(m[1]), children[0]);
  if ((m = /^d:(\d+),(-?\d+)(?:,(\d+))?$/.exec(format))) {
    const bits = Number(m[3] ?? 128);
    if (bits !== 128 && bits !== 256) {
      throw new ChdbError(`Arrow decimal of ${bits} bits is not supported by apache-arrow JS`);
    }
    return new Decimal(Number(m[2]), Number(m[1]), bits);
  }
  throw new ChdbError(`Arrow type with format "${format}" has no apache-arrow JS mapping`);
}

function readField(words: Words): Field {
  const format = cString(words.next());
  const name = cString(words.next());
  const metadataAddress = words.next();
  const metadata = parseMetadata(metadataAddress, words.int());
  const flags = words.int();
  const childCount = words.int();
  const hasDictionary = words.int() !== 0;
  const children: Field[] = [];
  for (let i = 0; i < childCount; i++) children.push(readField(words));
  let type: DataType;
  if (hasDictionary) {
    const values = readField(words);
    const indices = typeOf(format, [], 0);
    if (!DataType.isInt(indices)) throw new ChdbError(`Arrow dictionary with non-integer indices "${format}"`);
    type = new Dictionary(values.type, indices as never, dictionaryIds++, (flags & ArrowFieldFlag.DICTIONARY_ORDERED) !== 0);
  } else {
    type = typeOf(format, children, flags);
  }
  return new Field(name, type, (flags & ArrowFieldFlag.NULLABLE) !== 0, metadata);
}

/** The schema at the start of the layout; `words` is left after it. */
function readSchema(words: Words): Schema {
  const root = readField(words);
  if (!DataType.isStruct(root.type)) throw new ChdbError("the engine's Arrow result is not a struct of columns");
  return new Schema(root.type.children, root.metadata);
}

/** Bytes per value of a fixed-width type's data buffer (0 when the type has none). */
function valueWidth(type: DataType): number {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
      return (type as unknown as { ArrayType: { BYTES_PER_ELEMENT: number } }).ArrayType.BYTES_PER_ELEMENT;
    case Type.Interval:
      return [4, 8, 16][(type as Interval).unit];
    case Type.Decimal:
      return (type as Decimal).bitWidth / 8;
    case Type.FixedSizeBinary:
      return (type as FixedSizeBinary).byteWidth;
    case Type.Dictionary:
      return valueWidth((type as Dictionary).indices);
  }
  return 0;
}

type ArrayCtor = {
  new (buffer: ArrayBuffer, offset: number, length: number): ArrayBufferView;
  BYTES_PER_ELEMENT: number;
};

function typed(Ctor: ArrayCtor, buffer: ArrayBuffer): ArrayBufferView {
  return new Ctor(buffer, 0, buffer.byteLength / Ctor.BYTES_PER_ELEMENT);
}

interface Node {
  length: number;
  nullCount: number;
  offset: number;
  buffers: bigint[];
  children: Node[];
  dictionary: Node | null;
}

function readNode(words: Words): Node {
  const length = words.int();
  const nullCount = words.int();
  const offset = words.int();
  const bufferCount = words.int();
  const buffers: bigint[] = [];
  for (let i = 0; i < bufferCount; i++) buffers.push(words.next());
  const childCount = words.int();
  const hasDictionary = words.int() !== 0;
  const children: Node[] = [];
  for (let i = 0; i < childCount; i++) children.push(readNode(words));
  return { length, nullCount, offset, buffers, children, dictionary: hasDictionary ? readNode(words) : null };
}

/**
 * Wraps one array node's buffers (no copy) and assembles its apache-arrow Data. The C Data
 * Interface applies `offset` to every buffer, apache-arrow JS only to bitmaps (its other buffers
 * start at the first value): so the Data is built over the whole range and then sliced.
 */
function toData(type: DataType, node: Node, memory: NativeArrowMemory): Data {
  const data = toDataFromZero(type, node, memory);
  return node.offset === 0 ? data : data.slice(node.offset, node.length);
}

function toDataFromZero(type: DataType, node: Node, memory: NativeArrowMemory): Data {
  const length = node.offset + node.length;
  const nullCount = node.nullCount === 0 ? 0 : node.offset === 0 ? node.nullCount : -1;
  // Unions (and Null) have no validity bitmap: their first buffer is something else.
  const nullBitmap = !DataType.isUnion(type) && type.typeId !== Type.Null && node.buffers[0] && node.nullCount !== 0
    ? new Uint8Array(memory.view(node.buffers[0], Math.ceil(length / 8)))
    : undefined;
  const base = { type, length, offset: 0, nullCount, nullBitmap } as Record<string, unknown>;
  const offsets32 = () => new Int32Array(memory.view(node.buffers[1], (length + 1) * 4));
  const offsets64 = () => new BigInt64Array(memory.view(node.buffers[1], (length + 1) * 8));
  const child = (t: { children: Field[] }) => toData(t.children[0].type, node.children[0], memory);
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type: type as Null, length });
    case Type.Bool:
      return makeData({ ...base, data: new Uint8Array(memory.view(node.buffers[1], Math.ceil(length / 8))) } as never);
    case Type.Utf8:
    case Type.Binary: {
      const valueOffsets = offsets32();
      const bytes = valueOffsets[length] ?? 0;
      return makeData({ ...base, valueOffsets, data: new Uint8Array(memory.view(node.buffers[2], bytes)) } as never);
    }
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const valueOffsets = offsets64();
      const bytes = Number(valueOffsets[length] ?? 0n);
      return makeData({ ...base, valueOffsets, data: new Uint8Array(memory.view(node.buffers[2], bytes)) } as never);
    }
    case Type.List:
    case Type.Map:
      return makeData({ ...base, valueOffsets: offsets32(), child: child(type as List) } as never);
    case Type.LargeList:
      return makeData({ ...base, valueOffsets: offsets64(), child: child(type as LargeList) } as never);
    case Type.FixedSizeList:
      return makeData({ ...base, child: child(type as FixedSizeList) } as never);
    case Type.Struct:
      return makeData({
        ...base,
        children: (type as Struct).children.map((f, i) => toData(f.type, node.children[i], memory)),
      } as never);
    case Type.Union: {
      const children = (type as DenseUnion).children.map((f, i) => toData(f.type, node.children[i], memory));
      const typeIds = new Int8Array(memory.view(node.buffers[0], length));
      const dense = DataType.isDenseUnion(type);
      const valueOffsets = dense ? new Int32Array(memory.view(node.buffers[1], length * 4)) : undefined;
      return makeData({ type, length, offset: 0, nullCount: 0, typeIds, valueOffsets, children } as never);
    }
    case Type.Dictionary: {
      const dictType = type as Dictionary;
      if (node.dictionary === null) throw new ChdbError("Arrow dictionary array without its dictionary");
      const values = makeVector([toData(dictType.dictionary, node.dictionary, memory)]);
      const indices = typed(
        dictType.indices.ArrayType as ArrayCtor,
        memory.view(node.buffers[1], length * valueWidth(dictType)),
      );
      return makeData({ ...base, data: indices, dictionary: values } as never);
    }
  }
  const width = valueWidth(type);
  if (width === 0) throw new ChdbError(`cannot import Arrow type ${type}`);
  const Ctor = (type as unknown as { ArrayType: ArrayCtor }).ArrayType;
  return makeData({ ...base, data: typed(Ctor, memory.view(node.buffers[1], length * width)) } as never);
}

/** Reads the schema and every batch of a layout into RecordBatches over zero-copy views. */
export function importLayout(
  layout: BigUint64Array,
  memory: NativeArrowMemory,
): { schema: Schema; batches: RecordBatch[] } {
  const words = new Words(layout);
  const schema = readSchema(words);
  const batchCount = words.int();
  const structType = new Struct(schema.fields);
  const batches: RecordBatch[] = [];
  for (let b = 0; b < batchCount; b++) {
    const node = readNode(words);
    const data = makeData({
      type: structType,
      length: node.length,
      nullCount: 0,
      children: schema.fields.map((f, i) => toData(f.type, node.children[i], memory)),
    });
    batches.push(new RecordBatch(schema, data));
  }
  return { schema, batches };
}
