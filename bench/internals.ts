// The one entry point of the benchmarks into the library's internals (see bench/README.md): what a
// baseline below the public API needs. Every other import of bench/ is mod.ts or clickhouse.ts.
/** The loaded shim: its function table and pointer helpers (single shim calls as baselines). */
export { native } from "../src/core/native.ts";
/** The out-params of the shim's plain query call (arrow_results' IPC path). */
export { ResultSlots } from "../src/core/native_result.ts";
/** Where the library finds the shim and libchdb: the raw-libchdb baselines open the same file (raw_ffi.ts). */
export { locateNative } from "../ffi/load.ts";
/** The RowBinary decoder the cursor falls back to, and its format (cursor_floor). */
export { decodeRows } from "../src/rows/decode_rows.ts";
export { ROWS_FORMAT } from "../src/rows/row_set.ts";
/** A connection's row calls, as its cursors make them (cursor_floor: the query alone). */
export { rowSourceOf } from "../src/connection/connection.ts";
