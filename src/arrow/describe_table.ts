// Describes apache-arrow data living in JS memory to the shim (chffi_scan_new): the schema as
// format strings, every buffer as the address and byte length of the JS typed array that holds
// it (bitmaps whose bit offset is not a whole byte are realigned copies). chffi_scan_new copies
// the buffers and checks them against the lengths before it returns: the JS memory is read only
// during that call, so the description must be used at once (the JS buffers it names may move
// or be detached afterwards).
import { type Data, type DataType, DateUnit, type Field, type RecordBatch, type Table, Type } from "./apache_arrow.ts";
import { ArrowFieldFlag } from "../core/abi.ts";
import { utf8 } from "../core/encoding.ts";
import { ChdbArgumentError } from "../core/errors.ts";
import { native } from "../core/native.ts";

const FLAG_DICTIONARY_ORDERED = BigInt(ArrowFieldFlag.DICTIONARY_ORDERED);
const FLAG_NULLABLE = BigInt(ArrowFieldFlag.NULLABLE);
const FLAG_MAP_KEYS_SORTED = BigInt(ArrowFieldFlag.MAP_KEYS_SORTED);

const unitLetter = ["s", "m", "u", "n"];

function formatOf(type: DataType): string {
  const t = type as unknown as Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null:
      return "n";
    case Type.Bool:
      return "b";
    case Type.Int: {
      const letter = ({ 8: "c", 16: "s", 32: "i", 64: "l" } as Record<number, string>)[t.bitWidth as number];
      return t.isSigned ? letter : letter.toUpperCase();
    }
    case Type.Float:
      return ["e", "f", "g"][t.precision as number];
    case Type.Utf8:
      return "u";
    case Type.LargeUtf8:
      return "U";
    case Type.Binary:
      return "z";
    case Type.LargeBinary:
      return "Z";
    case Type.FixedSizeBinary:
      return `w:${t.byteWidth}`;
    case Type.Date:
      return t.unit === DateUnit.DAY ? "tdD" : "tdm";
    case Type.Time:
      return `tt${unitLetter[t.unit as number]}`;
    case Type.Timestamp:
      return `ts${unitLetter[t.unit as number]}:${t.timezone ?? ""}`;
    case Type.Duration:
      return `tD${unitLetter[t.unit as number]}`;
    case Type.Decimal:
      return `d:${t.precision},${t.scale},${t.bitWidth}`;
    case Type.List:
      return "+l";
    case Type.LargeList:
      return "+L";
    case Type.FixedSizeList:
      return `+w:${t.listSize}`;
    case Type.Struct:
      return "+s";
    case Type.Map:
      return "+m";
    case Type.Dictionary:
      return formatOf(t.indices as DataType);
  }
  throw new ChdbArgumentError(`Arrow type ${type} cannot be scanned by chDB`);
}

/** Accumulates the layout words and the strings they point into. */
class Writer {
  words: bigint[] = [];
  #strings: Uint8Array[] = [];
  #stringsLength = 0;
  /** Keeps the arrays whose addresses were taken (some are copies made here) alive until chffi_scan_new. */
  pinned: ArrayBufferView[] = [];

  text(s: string): void {
    const bytes = utf8(s);
    this.words.push(BigInt(this.#stringsLength), BigInt(bytes.length));
    this.#strings.push(bytes);
    this.#stringsLength += bytes.length;
  }

  strings(): Uint8Array {
    const out = new Uint8Array(Math.max(1, this.#stringsLength));
    let pos = 0;
    for (const s of this.#strings) {
      out.set(s, pos);
      pos += s.length;
    }
    return out;
  }

  /** The two words of a buffer: its address and byte length (0, 0 when absent or empty). */
  buffer(view: ArrayBufferView | undefined | null): [bigint, bigint] {
    if (!view || view.byteLength === 0) return [0n, 0n];
    // V8 keeps small typed arrays inside its heap, where the GC may move them; asking for the
    // buffer moves the data to a fixed off-heap allocation first, so the address stays valid.
    void view.buffer;
    this.pinned.push(view);
    return [native().addressOf(view), BigInt(view.byteLength)];
  }

  field(name: string, type: DataType, nullable: boolean): void {
    this.text(formatOf(type));
    this.text(name);
    let flags = nullable ? FLAG_NULLABLE : 0n;
    if (type.typeId === Type.Map && (type as unknown as { keysSorted: boolean }).keysSorted) {
      flags |= FLAG_MAP_KEYS_SORTED;
    }
    if (type.typeId === Type.Dictionary && (type as unknown as { isOrdered: boolean }).isOrdered) {
      flags |= FLAG_DICTIONARY_ORDERED;
    }
    const children = (type.children ?? []) as Field[];
    const dictionary = type.typeId === Type.Dictionary
      ? (type as unknown as { dictionary: DataType }).dictionary
      : null;
    this.words.push(flags, BigInt(children.length), dictionary ? 1n : 0n);
    for (const child of children) this.field(child.name, child.type, child.nullable);
    if (dictionary) this.field("", dictionary, true);
  }

  /**
   * A bitmap starting `bitOffset` bits into `bytes`, as a buffer starting at bit 0 (a subarray
   * when the offset is whole bytes, otherwise a shifted copy).
   */
  bitmap(bytes: Uint8Array, bitOffset: number, length: number): Uint8Array {
    if (bitOffset % 8 === 0) return bytes.subarray(bitOffset / 8, bitOffset / 8 + Math.ceil(length / 8));
    const out = new Uint8Array(Math.ceil(length / 8));
    for (let i = 0; i < length; i++) {
      const j = bitOffset + i;
      if (bytes[j >> 3] & (1 << (j & 7))) out[i >> 3] |= 1 << (i & 7);
    }
    return out;
  }

  /**
   * One array node. apache-arrow JS keeps `offset` only for bitmaps (other buffers are already
   * sliced), so the node is written with offset 0 and its bitmaps realigned.
   */
  array(data: Data): void {
    const { type, length } = data;
    const nullCount = data.nullCount;
    const validity = nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0
      ? this.bitmap(data.nullBitmap, data.offset, length)
      : undefined;
    const buffers: [bigint, bigint][] = [this.buffer(validity)];
    const children: Data[] = [];
    let dictionary: Data | null = null;
    switch (type.typeId) {
      case Type.Null:
        buffers.length = 0;
        break;
      case Type.Bool:
        buffers.push(this.buffer(this.bitmap(data.values as Uint8Array, data.offset, length)));
        break;
      case Type.Utf8:
      case Type.LargeUtf8:
      case Type.Binary:
      case Type.LargeBinary:
        buffers.push(this.buffer(data.valueOffsets), this.buffer(data.values));
        break;
      case Type.List:
      case Type.LargeList:
      case Type.Map:
        buffers.push(this.buffer(data.valueOffsets));
        children.push(data.children[0]);
        break;
      case Type.FixedSizeList:
      case Type.Struct:
        children.push(...data.children);
        break;
      case Type.Dictionary: {
        buffers.push(this.buffer(data.values));
        const chunks = data.dictionary?.data ?? [];
        if (chunks.length !== 1) {
          throw new ChdbArgumentError("an Arrow dictionary must be a single chunk to be scanned");
        }
        dictionary = chunks[0];
        break;
      }
      default:
        formatOf(type); // throws for the types chDB cannot scan
        buffers.push(this.buffer(data.values));
    }
    if (data.nullCount > 0 && validity === undefined) {
      throw new ChdbArgumentError(`Arrow column of type ${type} has ${nullCount} nulls but no validity bitmap`);
    }
    this.words.push(BigInt(length), BigInt(Math.max(0, nullCount)), 0n, BigInt(buffers.length), ...buffers.flat());
    this.words.push(BigInt(children.length), dictionary ? 1n : 0n);
    for (const child of children) this.array(child);
    if (dictionary) this.array(dictionary);
  }
}

/** Rows per batch handed to the engine (a multiple of 8, so bitmaps slice on byte boundaries). */
export const SCAN_BATCH_ROWS = 65536;

export interface ScanLayout {
  layout: BigUint64Array;
  strings: Uint8Array;
  /** Every JS buffer whose address the layout holds (to keep them alive until chffi_scan_new). */
  pinned: ArrayBufferView[];
}

/** The layout of a table's batches for chffi_scan_new. */
export function describeTable(table: Table | { schema: Table["schema"]; batches: RecordBatch[] }): ScanLayout {
  const w = new Writer();
  w.text("+s");
  w.text("");
  w.words.push(0n, BigInt(table.schema.fields.length), 0n);
  for (const f of table.schema.fields) w.field(f.name, f.type, f.nullable);
  // Big batches are cut into engine-sized slices (zero-copy views): the engine converts batches
  // on several threads, but never splits one.
  const batches = table.batches.flatMap((b) => {
    const slices: RecordBatch[] = [];
    for (let start = 0; start < b.numRows; start += SCAN_BATCH_ROWS) {
      slices.push(b.slice(start, start + SCAN_BATCH_ROWS));
    }
    return slices;
  });
  w.words.push(BigInt(batches.length));
  for (const batch of batches) w.array(batch.data);
  return {
    layout: BigUint64Array.from(w.words),
    strings: w.strings(),
    pinned: w.pinned,
  };
}
