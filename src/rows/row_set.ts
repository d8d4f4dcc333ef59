// RowSet: what the row decoders give (columns and rows of JS values), the format they read, and
// the value conventions both decoders share (src/rows/decode_rows.ts over RowBinary,
// src/rows/rows_from_arrow.ts over Arrow buffers).
//
// Values: (U)Int8-32, Float32/64 -> number; (U)Int64/128/256 -> bigint; Bool -> boolean;
// String, FixedString, Enum, UUID, IPv4/6 -> string; Decimal -> string (exact);
// Date, Date32, DateTime, DateTime64 -> Date (UTC instant); Nullable -> null; Array -> array;
// Tuple -> array, or object for named tuples; Map -> plain object; LowCardinality -> its type;
// Point, Ring, Polygon... -> nested arrays of [x, y].

/** The output format decodeRows() reads. */
export const ROWS_FORMAT = "RowBinaryWithNamesAndTypes";

/** A column of a row-format result: its name and ClickHouse type. */
export interface Column {
  /** The column's name. */
  readonly name: string;
  /** The ClickHouse type, e.g. `Nullable(String)`. */
  readonly type: string;
}

/** A result as rows: its columns and, per row, one JS value per column. */
export interface RowSet {
  readonly columns: Column[];
  readonly rows: unknown[][];
}

/** Milliseconds per day: Date and Date32 count days. */
export const DAY_MS = 86_400_000;

/** A Decimal's exact text from its unscaled integer value. */
export function decimalText(v: bigint, scale: number): string {
  if (scale === 0) return v.toString();
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
