// Which output formats stream from the engine. The engine's streaming API formats each block
// on its own: a block's output carries the format's prefix and suffix again (CSVWithNames
// repeats its header, Parquet makes a file per block, JSON a document per block). So only
// formats whose output is the plain concatenation of their blocks stream as they are; the
// ...WithNames[AndTypes] text formats stream with the header lines of later blocks dropped;
// every other format is produced whole by one engine call (memory: the whole result).

/** Formats whose output is the concatenation of their blocks' outputs. */
const concatenated = new Set(
  [
    "CSV",
    "TSV",
    "TabSeparated",
    "TSVRaw",
    "TabSeparatedRaw",
    "JSONEachRow",
    "JSONStringsEachRow",
    "JSONCompactEachRow",
    "JSONCompactStringsEachRow",
    "JSONLines",
    "NDJSON",
    "CustomSeparated",
    "RowBinary",
    "LineAsString",
  ].map((f) => f.toLowerCase()),
);

/** Line-based formats with header lines: how many. */
const headerLines: Record<string, number> = {};
for (const f of ["CSV", "TSV", "TabSeparated", "TSVRaw", "TabSeparatedRaw", "JSONCompactEachRow", "JSONCompactStringsEachRow"]) {
  headerLines[`${f}WithNames`.toLowerCase()] = 1;
  headerLines[`${f}WithNamesAndTypes`.toLowerCase()] = 2;
}

/** How a format streams: null = not at all; else the number of header lines to drop after the first block. */
export function streamedHeaderLines(format: string): number | null {
  const f = format.toLowerCase();
  if (concatenated.has(f)) return 0;
  return headerLines[f] ?? null;
}

/** The first `lines` lines of a block (its header), as bytes. */
export function headerOf(block: Uint8Array, lines: number): Uint8Array {
  let at = 0;
  for (let i = 0; i < lines; i++) {
    const nl = block.indexOf(10, at);
    if (nl < 0) return block;
    at = nl + 1;
  }
  return block.subarray(0, at);
}

/** `block` without a leading copy of `header`. */
export function withoutHeader(block: Uint8Array, header: Uint8Array): Uint8Array {
  if (header.length === 0 || block.length < header.length) return block;
  for (let i = 0; i < header.length; i++) if (block[i] !== header[i]) return block;
  return block.subarray(header.length);
}
