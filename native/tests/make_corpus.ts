// Writes the seed corpus of the native fuzz targets (native/tests/corpus/<target>/): Native blocks
// from the real engine for the decoder, set files from StringHashSet.save() for load(). Run once
// with `deno run -A native/tests/make_corpus.ts` when a format changes; the output is committed.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, StringHashSet } from "../../mod.ts";
import { plainTypeColumns } from "../../tests/helpers.ts";

const root = new URL(".", import.meta.url).pathname;
const conn = connect();
const native = (name: string, sql: string) => {
  // The target's first byte picks what it decodes (native/tests/targets.h): 0 = Native blocks.
  writeFileSync(join(root, "corpus", "native_decode", name), new Uint8Array([0, ...conn.query(sql, "Native").bytes()]));
};
native("plain.bin", `SELECT ${plainTypeColumns(false)} FROM numbers(5)`);
native("nullable.bin", `SELECT ${plainTypeColumns(true)} FROM numbers(7)`);
native("blocks.bin", "SELECT number, toString(number) AS s, toNullable(number % 2 = 0) AS b FROM numbers(10) SETTINGS max_block_size = 3");
native("empty.bin", "SELECT 1 AS x, 'a' AS s WHERE 0");
native("strings.bin", "SELECT repeat('ab', number) AS s, toFixedString('xy', 2) AS f FROM numbers(20)");
native("unsupported.bin", "SELECT [1, 2] AS arr, map('a', 1) AS m");
// A DESCRIBE result as the shim reads it (described_columns): first byte 1.
writeFileSync(join(root, "corpus", "native_decode", "describe.bin"), new Uint8Array([1, ...conn.query(
  `DESCRIBE (SELECT ${plainTypeColumns(true)} FROM numbers(1))`,
  "RowBinaryWithNames",
).bytes()]));
conn.close();

// Layouts for chffi_scan_new (format in native/tests/targets.h): a struct of an Int64 and a Utf8
// column, one batch of 3 rows; 0xB0FF... words become addresses into the target's own buffer.
const words = (list: bigint[]) => {
  const bytes = new Uint8Array(2 + list.length * 8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, list.length, true);
  list.forEach((w, i) => view.setBigUint64(2 + i * 8, w, true));
  return bytes;
};
const address = (offset: number) => 0xB0FFn << 48n | BigInt(offset);
const scanStrings = new TextEncoder().encode("+slxus");
const layout = words([
  0n, 2n, 0n, 0n, 0n, 2n, 0n, // struct "+s", no name, 2 children, no dictionary
  2n, 1n, 3n, 1n, 2n, 0n, 0n, // "l" named "x", nullable
  4n, 1n, 5n, 1n, 0n, 0n, 0n, // "u" named "s"
  1n, // one batch
  3n, 0n, 0n, 1n, 0n, 2n, 0n, // the struct array: 3 rows, 1 buffer (no validity), 2 children
  3n, 1n, 0n, 2n, address(0), address(64), 0n, 0n, // Int64: validity, values
  3n, 0n, 0n, 3n, 0n, address(128), address(256), 0n, 0n, // Utf8: offsets, data
]);
// The first byte picks the raw-words form (even) or the generator (odd): native/tests/targets.h.
writeFileSync(join(root, "corpus", "scan_layout", "struct.bin"), new Uint8Array([0, ...layout, ...scanStrings]));
const dictionary = words([
  0n, 2n, 0n, 0n, 0n, 1n, 0n, // struct, 1 child
  3n, 1n, 2n, 1n, 0n, 0n, 1n, // "c" (int8 indices) named "x", with a dictionary:
  4n, 1n, 0n, 0n, 0n, 0n, 0n, // "u"
  1n,
  2n, 0n, 0n, 1n, 0n, 1n, 0n,
  2n, 0n, 0n, 2n, 0n, address(0), 0n, 1n, // indices
  3n, 0n, 0n, 3n, 0n, address(128), address(256), 0n, 0n, // the dictionary's values
]);
writeFileSync(join(root, "corpus", "scan_layout", "dictionary.bin"), new Uint8Array([0, ...dictionary, ...new TextEncoder().encode("+sxcu")]));
// Seeds for the generator of well-formed layouts: the choices are the bytes themselves.
for (let seed = 1; seed <= 4; seed++) {
  let x = seed * 2654435761;
  const choices = Array.from({ length: 256 }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  writeFileSync(join(root, "corpus", "scan_layout", `generated${seed}.bin`), new Uint8Array([1, ...choices]));
}

// String lists: connection options and query parameters as the TypeScript side encodes them.
const list = (items: string[]) => {
  const parts = items.map((s) => new TextEncoder().encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    new DataView(out.buffer).setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
};
writeFileSync(join(root, "corpus", "string_list", "params.bin"), list(["id", "42", "name", "O'Brien\n", "empty", ""]));
writeFileSync(join(root, "corpus", "string_list", "options.bin"), list(["--path=/tmp/x", "--max_threads=2", "--readonly=1"]));
writeFileSync(join(root, "corpus", "string_list", "empty.bin"), new Uint8Array(0));

const sets: Record<string, string[]> = {
  "empty.set": [],
  "small.set": ["", "a", "bc", "0123456789abcdef", "a longer key that lives in the arena"],
  "many.set": Array.from({ length: 300 }, (_, i) => `k${i}${"x".repeat(i % 20)}`),
};
for (const [name, keys] of Object.entries(sets)) {
  using set = StringHashSet.fromValues(keys);
  set.save(join(root, "corpus", "hashset_load", name));
}
