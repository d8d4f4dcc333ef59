// The JS-built Arrow data of the Arrow benchmarks: `rows` rows of a = 0..rows-1 (UInt64) and
// s = the decimal text of a (Utf8), made directly as Arrow buffers.
import { Field, makeData, RecordBatch, Schema, Struct, Table, Uint64, Utf8 } from "apache-arrow";

/**
 * The table, in one batch. Its columns are non-nullable unless `nullable` (then the engine sees
 * Nullable(UInt64), Nullable(String) instead of the Memory table's types).
 */
export function numbersTable(rows: number, nullable = false): Table {
  const a = new BigUint64Array(rows);
  const offsets = new Int32Array(rows + 1);
  const bytes = new Uint8Array(rows * 8);
  let pos = 0;
  for (let i = 0; i < rows; i++) {
    a[i] = BigInt(i);
    const text = String(i);
    for (let j = 0; j < text.length; j++) bytes[pos++] = text.charCodeAt(j);
    offsets[i + 1] = pos;
  }
  const aData = makeData({ type: new Uint64(), length: rows, data: a });
  const sData = makeData({ type: new Utf8(), length: rows, valueOffsets: offsets, data: bytes.subarray(0, pos) });
  const fields = [new Field("a", new Uint64(), nullable), new Field("s", new Utf8(), nullable)];
  const schema = new Schema(fields);
  const data = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: [aData, sData] });
  return new Table(schema, [new RecordBatch(schema, data)]);
}
