// rowLoop(): the row loop of one schema, generated as JS source (new Function) so that each
// column's read is a monomorphic site, and runLoop(), which drives it over a result.
import { type Decode } from "./decoder.ts";
import type { TypeNode } from "./parse_type.ts";
import { type Reader, truncated } from "./reader.ts";
import { DAY_MS } from "./row_set.ts";

const utf8 = new TextDecoder();

// Straight-line code for the common scalar types, so that the row loop reads them without a
// call per value; other types go through their decoder.
const need = (n: number | string) => `if (pos + ${n} > end) throw truncated();`;

// Multi-byte values are assembled from bytes, or copied into an aligned 8-byte scratch read
// through typed arrays, instead of DataView calls: Bun's optimizing JIT left the generated
// function at its first DataView call on every call (an OSR exit per block), which kept most
// of the decoding in its baseline tier; V8 runs both forms at the same speed.
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const scratchBuffer = new ArrayBuffer(8);
const lanes = {
  u8: new Uint8Array(scratchBuffer),
  f32: new Float32Array(scratchBuffer),
  f64: new Float64Array(scratchBuffer),
  u64: new BigUint64Array(scratchBuffer),
  i64: new BigInt64Array(scratchBuffer),
};
type Lanes = typeof lanes;
/** Copies `n` little-endian bytes at pos into the scratch in platform order. */
const toScratch = (n: number) =>
  Array.from({ length: n }, (_, k) => `u8[${LITTLE_ENDIAN ? k : n - 1 - k}] = bytes[pos + ${k}];`).join(" ");
const u16 = `(bytes[pos] | bytes[pos + 1] << 8)`;
const i32 = `(bytes[pos] | bytes[pos + 1] << 8 | bytes[pos + 2] << 16 | bytes[pos + 3] << 24)`;

const inline: Record<string, (v: string) => string> = {
  UInt8: (v) => `${need(1)} const ${v} = bytes[pos]; pos += 1;`,
  Int8: (v) => `${need(1)} const ${v} = bytes[pos] << 24 >> 24; pos += 1;`,
  UInt16: (v) => `${need(2)} const ${v} = ${u16}; pos += 2;`,
  Int16: (v) => `${need(2)} const ${v} = ${u16} << 16 >> 16; pos += 2;`,
  UInt32: (v) => `${need(4)} const ${v} = ${i32} >>> 0; pos += 4;`,
  Int32: (v) => `${need(4)} const ${v} = ${i32}; pos += 4;`,
  UInt64: (v) => `${need(8)} ${toScratch(8)} const ${v} = u64[0]; pos += 8;`,
  Int64: (v) => `${need(8)} ${toScratch(8)} const ${v} = i64[0]; pos += 8;`,
  Float32: (v) => `${need(4)} ${toScratch(4)} const ${v} = f32[0]; pos += 4;`,
  Float64: (v) => `${need(8)} ${toScratch(8)} const ${v} = f64[0]; pos += 8;`,
  Bool: (v) => `${need(1)} const ${v} = bytes[pos] !== 0; pos += 1;`,
  Date: (v) => `${need(2)} const ${v} = new Date(${u16} * ${DAY_MS}); pos += 2;`,
  Date32: (v) => `${need(4)} const ${v} = new Date(${i32} * ${DAY_MS}); pos += 4;`,
  DateTime: (v) => `${need(4)} const ${v} = new Date((${i32} >>> 0) * 1000); pos += 4;`,
  String: (v) => `${stringLength(v)} const ${v} = r.text(pos, n_${v}); pos += n_${v};`,
};

const width: Record<string, number> = {
  UInt8: 1, Int8: 1, UInt16: 2, Int16: 2, UInt32: 4, Int32: 4, UInt64: 8, Int64: 8, Float32: 4, Float64: 8,
  Bool: 1, Date: 2, Date32: 4, DateTime: 4,
};

const stringLength = (v: string) =>
  `${need(1)} let n_${v} = bytes[pos];
    if (n_${v} < 0x80) pos += 1; else { r.pos = pos; n_${v} = r.varint(); pos = r.pos; }
    ${need(`n_${v}`)}`;

// First pass over a block: copies the bytes of ASCII strings into block.text and notes where
// the others start.
const gatherString = (v: string) =>
  `${stringLength(v)}
    if (text.length < size + n_${v}) { const t = new Uint8Array(Math.max(size + n_${v}, 2 * text.length)); t.set(text); text = t; }
    let or_${v} = 0;
    for (let k = 0; k < n_${v}; k++) { const b = bytes[pos + k]; or_${v} |= b; text[size + k] = b; }
    if (or_${v} < 0x80) size += n_${v}; else odds.push(pos);
    pos += n_${v};`;

// Second pass: ASCII strings are cut out of the block's text decoded once, the rest decoded alone.
const stringFromBlock = (v: string) =>
  `${stringLength(v)}
    let ${v};
    if (pos === odd) { ${v} = r.text(pos, n_${v}); odd = ++nextOdd < odds.length ? odds[nextOdd] : -1; }
    else { ${v} = ascii.substring(at, at + n_${v}); at += n_${v}; }
    pos += n_${v};`;

/**
 * Input bytes per call of a generated loop: bounds block.text and keeps it in cache. Small
 * enough that a 1M-row result makes hundreds of calls: V8 then optimizes the functions whole,
 * where 1 MB blocks kept it compiling the running loop (OSR) and throwing that code away.
 */
const BLOCK_BYTES = 1 << 16;

/** A block of the two-pass loop: its ASCII string bytes, its row count, non-ASCII string positions. */
interface Block {
  text: Uint8Array;
  size: number;
  count: number;
  odds: number[];
}

type Scan = (r: Reader, block: Block, truncated: () => Error) => void;
type Build = (
  r: Reader,
  decoders: Decode[],
  rows: unknown[][],
  truncated: () => Error,
  count: number,
  ascii: string,
  odds: number[],
  lanes: Lanes,
) => void;

/** The generated functions of one schema's row loop. */
export interface RowLoop {
  /** Present for the two-pass loop. */
  readonly scan: Scan | null;
  readonly build: Build;
}

// The row loop for one schema, generated so that each column's read is a monomorphic site. Each
// call decodes one block (BLOCK_BYTES of input), so that the engines optimize the functions as
// a whole and keep that code for the next block, instead of compiling a running loop again.
//
// With String columns among only inline types, a block takes two passes: scan gathers its ASCII
// string bytes, decoded with one TextDecoder call into a string that each value is a substring
// of. That is cheaper than one decode per value, and than cutting values out of the whole
// buffer decoded as single-byte text (r.text, for strings inside other types): a buffer with
// binary values decodes to a two-byte string, ~100 ms per 30 MB on both runtimes.
export function rowLoop(types: TypeNode[]): RowLoop {
  const plain = (t: TypeNode) => (t.args.length === 0 || t.name === "DateTime") && t.name in inline;
  const twoPass = types.every(plain) && types.some((t) => t.name === "String");
  const read = types.map((t, k) =>
    twoPass && t.name === "String"
      ? stringFromBlock(`v${k}`)
      : plain(t)
      ? inline[t.name](`v${k}`)
      : `r.pos = pos; const v${k} = decoders[${k}](r); pos = r.pos;`
  ).join("\n    ");
  // Appending by index: cheaper than push() on both engines (Bun's profile showed push() ~10 %).
  const row = `rows[n++] = [${types.map((_, k) => `v${k}`).join(", ")}];`;
  const start = `const bytes = r.bytes, end = bytes.length, first = r.pos; let pos = first;`;
  const build = new Function(
    "r", "decoders", "rows", "truncated", "count", "ascii", "odds", "lanes",
    twoPass
      ? `${start} const { u8, f32, f64, u64, i64 } = lanes; let n = rows.length, at = 0, nextOdd = 0, odd = odds.length > 0 ? odds[0] : -1;
  for (let i = 0; i < count; i++) {
    ${read}
    ${row}
  }
  r.pos = pos;`
      : `${start} const { u8, f32, f64, u64, i64 } = lanes; let n = rows.length;
  while (pos < end && pos - first < ${BLOCK_BYTES}) {
    ${read}
    ${row}
  }
  r.pos = pos;`,
  ) as Build;
  if (!twoPass) return { scan: null, build };
  const skip = types.map((t, k) =>
    t.name === "String" ? gatherString(`v${k}`) : `${need(width[t.name])} pos += ${width[t.name]};`
  ).join("\n    ");
  const scan = new Function(
    "r", "block", "truncated",
    `${start} let text = block.text, size = 0, count = 0;
  const odds = [];
  while (pos < end && pos - first < ${BLOCK_BYTES}) {
    ${skip}
    count++;
  }
  block.text = text; block.size = size; block.count = count; block.odds = odds;
  r.pos = pos;`,
  ) as Scan;
  return { scan, build };
}

/** Decodes the rows of `r` (after its header) into `rows` with `loop`. */
export function runLoop(loop: RowLoop, r: Reader, decoders: Decode[], rows: unknown[][]): void {
  const { scan, build } = loop;
  if (scan === null) {
    while (!r.done) build(r, decoders, rows, truncated, 0, "", [], lanes);
    return;
  }
  const block: Block = { text: new Uint8Array(1 << 16), size: 0, count: 0, odds: [] };
  while (!r.done) {
    const first = r.pos;
    scan(r, block, truncated);
    r.pos = first;
    build(r, decoders, rows, truncated, block.count, utf8.decode(block.text.subarray(0, block.size)), block.odds, lanes);
  }
}
