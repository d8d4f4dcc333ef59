// Every constant of the shim's C ABI (native/chdb_ffi.h, and the Arrow C Data Interface flags of
// native/arrow_abi.h that the layouts carry), defined once. tests/abi.test.ts checks each against
// the headers: CHFFI_<GROUP>_<NAME> is <Group>.<NAME> here, chffi_result_info's fields are
// ResultInfo's word indices.

/** chffi_status (defined in ffi/, whose backends report their own failures as statuses). */
export { Status } from "../../ffi/symbols.ts";

/** CHFFI_ABI_VERSION: the loader refuses a shim of another version. */
export const ABI_VERSION = 2;

/** Statement classes of chffi_classify (CHFFI_QUERY_*). */
export const QueryClass = { READ_ONLY: 0, MUTATING: 1, MUTATING_GLOBAL: 2, CONTROL: 3, UNKNOWN: 4 } as const;

/** Word indices of chffi_result_info (every field is 8 bytes), and its size in words. */
export const ResultInfo = {
  DATA: 0,
  DATA_LEN: 1,
  ELAPSED_SECONDS: 2,
  ROWS_READ: 3,
  BYTES_READ: 4,
  STORAGE_ROWS_READ: 5,
  STORAGE_BYTES_READ: 6,
  ROWS_WRITTEN: 7,
  BYTES_WRITTEN: 8,
  WORDS: 9,
} as const;

/** Flags of chffi_query_arrow and chffi_stream_arrow_open (CHFFI_ARROW_*). */
export const ArrowFlag = {
  UNSUPPORTED_AS_BINARY: 1,
  LOW_CARDINALITY_AS_DICTIONARY: 2,
  STRING_AS_BINARY: 4,
  STREAMED: 8,
  FOR_ROWS: 16,
  TYPE_NAMES: 32,
} as const;

/** Field flags of a schema node in an Arrow layout (ARROW_FLAG_* of the Arrow C Data Interface). */
export const ArrowFieldFlag = { DICTIONARY_ORDERED: 1, NULLABLE: 2, MAP_KEYS_SORTED: 4 } as const;

/** Column kinds of a chffi_hashset_apply chunk descriptor (CHFFI_COLUMN_*). */
export const ColumnKind = { UTF8: 1, LARGE_UTF8: 2, DICTIONARY: 3 } as const;

/** The operations of chffi_hashset_apply (CHFFI_OP_*). */
export const Operation = {
  IS_IN: 0,
  NOT_IN: 1,
  NOT_IN_AND_UPDATE: 2,
  NOT_IN_AND_UPDATE_ROWWISE: 3,
  UPDATE: 4,
  UPDATE_BOOL: 5,
} as const;
export type Operation = typeof Operation[keyof typeof Operation];

/** Words per chffi_hashset_apply chunk descriptor (CHFFI_CHUNK_WORDS). */
export const CHUNK_WORDS = 24;
