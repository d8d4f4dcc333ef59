// decodeRows(): query output (RowBinaryWithNamesAndTypes: exact binary values with their ClickHouse
// types) as rows of JS values; the cursors' path for results the shim does not build as Arrow
// (rows_from_arrow.ts reads the others off their Arrow buffers, to the same values).
// src/rows/ is rank 3 (rows of JS values): it imports only src/arrow/ and src/core/.
import { type Decode, decoder } from "./decoder.ts";
import { parseType } from "./parse_type.ts";
import { Reader } from "./reader.ts";
import { type RowLoop, rowLoop, runLoop } from "./row_loop.ts";
import type { Column, RowSet } from "./row_set.ts";

const compiledSchemas = new Map<string, { loop: RowLoop; decoders: Decode[] }>();

function readHeader(r: Reader): Column[] {
  const n = r.varint();
  const names = Array.from({ length: n }, () => r.lone());
  return names.map((name) => ({ name, type: r.lone() }));
}

/** Decodes ROWS_FORMAT output (a whole result or one streamed chunk: each carries the header). Empty output (a statement without a result set) has no columns. */
export function decodeRows(bytes: Uint8Array): RowSet {
  if (bytes.length === 0) return { columns: [], rows: [] };
  const r = new Reader(bytes);
  const columns = readHeader(r);
  const key = columns.map((c) => c.type).join("\n");
  let compiled = compiledSchemas.get(key);
  if (compiled === undefined) {
    const types = columns.map((c) => parseType(c.type));
    compiled = { loop: rowLoop(types), decoders: types.map(decoder) };
    if (compiledSchemas.size >= 256) compiledSchemas.clear();
    compiledSchemas.set(key, compiled);
  }
  const rows: unknown[][] = [];
  runLoop(compiled.loop, r, compiled.decoders, rows);
  return { columns, rows };
}
