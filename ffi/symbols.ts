// The one neutral symbol table of the shim (native/chdb_ffi.h), with each C prototype beside
// its entry. Backends translate the neutral type names into their runtime's FFI types.

/** Neutral FFI types: `buffer` is a TypedArray passed in, `pointer` an opaque native address. */
export type FfiType = "void" | "i32" | "u32" | "usize" | "f64" | "pointer" | "buffer";

export interface SymbolSpec {
  readonly parameters: readonly FfiType[];
  readonly result: FfiType;
  /**
   * The call may block for long (it runs a query): besides the synchronous form, the backend
   * offers it off the JS thread on a `Lane` (Deno: a nonblocking symbol; Bun: a shim worker).
   * Only for i32-returning calls whose arguments are pointers, buffers or integers.
   */
  readonly nonblocking?: boolean;
  /**
   * The call enters the engine, which refuses to run where the stack pointer lies outside the
   * thread's own stack. Backends whose FFI runs calls on a stack of its own (koffi) route it
   * through chffi_call_blocking. Only for calls listed in native/runnable.cpp.
   */
  readonly engine?: boolean;
}

export const symbols = {
  // uint32_t chffi_abi_version(void);
  chffi_abi_version: { parameters: [], result: "u32" },
  // int32_t chffi_load(const char *lib_path, size_t lib_path_len, char *err, size_t err_cap);
  chffi_load: { parameters: ["buffer", "usize", "buffer", "usize"], result: "i32", engine: true },
  // const char *chffi_engine_version(void);
  chffi_engine_version: { parameters: [], result: "pointer" },
  // int32_t chffi_connect(const char *path, size_t path_len, const uint8_t *options, size_t options_len,
  //                       chffi_conn **out_conn, char *err, size_t err_cap);
  chffi_connect: {
    parameters: ["buffer", "usize", "buffer", "usize", "buffer", "buffer", "usize"],
    result: "i32",
    engine: true,
  },
  // int32_t chffi_close(chffi_conn *conn);
  chffi_close: { parameters: ["pointer"], result: "i32", engine: true },
  // int32_t chffi_query(chffi_conn *conn, const char *sql, size_t sql_len, const char *format,
  //                     size_t format_len, const uint8_t *params, size_t params_len,
  //                     chffi_result **out_result, chffi_result_info *out_info);
  chffi_query: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  // void chffi_result_free(chffi_result *result);
  chffi_result_free: { parameters: ["pointer"], result: "void" },
  // uint32_t chffi_open_connections(void);
  chffi_open_connections: { parameters: [], result: "u32" },
  // int32_t chffi_shutdown(void);
  chffi_shutdown: { parameters: [], result: "i32", engine: true },
  // ---- Arrow (native/arrow_export.cpp, native/arrow_scan.cpp) ----
  // int32_t chffi_query_arrow(chffi_conn *conn, const char *sql, size_t sql_len, const uint8_t *params,
  //                           size_t params_len, uint32_t flags, chffi_arrow **out_arrow,
  //                           chffi_result **out_result, chffi_result_info *out_info);
  chffi_query_arrow: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "u32", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  // const uint64_t *chffi_arrow_layout(const chffi_arrow *arrow, uint64_t *out_words);
  chffi_arrow_layout: { parameters: ["pointer", "buffer"], result: "pointer" },
  // void chffi_arrow_free(chffi_arrow *arrow);
  chffi_arrow_free: { parameters: ["pointer"], result: "void" },
  // int32_t chffi_stream_arrow_open(chffi_conn *conn, const char *sql, size_t sql_len, const uint8_t *params,
  //                                 size_t params_len, uint32_t flags, chffi_arrow_stream **out_stream,
  //                                 chffi_result **out_result, chffi_result_info *out_info);
  chffi_stream_arrow_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "u32", "buffer", "buffer", "buffer"],
    result: "i32",
    engine: true,
  },
  // int32_t chffi_stream_arrow_next(chffi_arrow_stream *stream, chffi_arrow **out_batch, char *err, size_t err_cap);
  chffi_stream_arrow_next: { parameters: ["pointer", "buffer", "buffer", "usize"], result: "i32", engine: true },
  // void chffi_stream_arrow_free(chffi_arrow_stream *stream);
  chffi_stream_arrow_free: { parameters: ["pointer"], result: "void", engine: true },
  // int32_t chffi_scan_new(const uint64_t *layout, size_t layout_words, const uint8_t *strings, size_t strings_len,
  //                        chffi_scan **out_scan, char *err, size_t err_cap);
  chffi_scan_new: { parameters: ["buffer", "usize", "buffer", "usize", "buffer", "buffer", "usize"], result: "i32" },
  // int32_t chffi_scan_register(chffi_conn *conn, chffi_scan *scan, const char *name, size_t name_len,
  //                             char *err, size_t err_cap);
  chffi_scan_register: {
    parameters: ["pointer", "pointer", "buffer", "usize", "buffer", "usize"],
    result: "i32",
    engine: true,
  },
  // int32_t chffi_scan_unregister(chffi_conn *conn, chffi_scan *scan, const char *name, size_t name_len,
  //                               char *err, size_t err_cap);
  chffi_scan_unregister: {
    parameters: ["pointer", "pointer", "buffer", "usize", "buffer", "usize"],
    result: "i32",
    engine: true,
  },
  // void chffi_scan_free(chffi_scan *scan);
  chffi_scan_free: { parameters: ["pointer"], result: "void", engine: true },

  // ---- string hash set (native/hashset.cpp, native/hashfilter_kernels.cpp) ----
  // int32_t chffi_hashset_new(uint64_t capacity, chffi_hashset **out_set);
  chffi_hashset_new: { parameters: ["usize", "buffer"], result: "i32" },
  // void chffi_hashset_free(chffi_hashset *set);
  chffi_hashset_free: { parameters: ["pointer"], result: "void" },
  // int32_t chffi_hashset_insert(chffi_hashset *set, const uint8_t *key, size_t key_len, int32_t *out_inserted);
  chffi_hashset_insert: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  // int32_t chffi_hashset_contains(chffi_hashset *set, const uint8_t *key, size_t key_len, int32_t *out_found);
  chffi_hashset_contains: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  // int32_t chffi_hashset_remove(chffi_hashset *set, const uint8_t *key, size_t key_len, int32_t *out_removed);
  chffi_hashset_remove: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  // int32_t chffi_hashset_clear(chffi_hashset *set);
  chffi_hashset_clear: { parameters: ["pointer"], result: "i32" },
  // int32_t chffi_hashset_stats(chffi_hashset *set, uint64_t *out_stats);
  chffi_hashset_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  // int32_t chffi_hashset_export(chffi_hashset *set, chffi_bytes **out_bytes, uint64_t *out_view);
  chffi_hashset_export: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  // void chffi_bytes_free(chffi_bytes *bytes);
  chffi_bytes_free: { parameters: ["pointer"], result: "void" },
  // int32_t chffi_hashset_save(chffi_hashset *set, const char *path, size_t path_len, char *err, size_t err_cap);
  chffi_hashset_save: { parameters: ["pointer", "buffer", "usize", "buffer", "usize"], result: "i32" },
  // int32_t chffi_hashset_load(const char *path, size_t path_len, chffi_hashset **out_set, char *err, size_t err_cap);
  chffi_hashset_load: { parameters: ["buffer", "usize", "buffer", "buffer", "usize"], result: "i32" },
  // int32_t chffi_hashset_apply(chffi_hashset *set, int32_t op, const uint64_t *chunks, size_t chunk_count,
  //                             char *err, size_t err_cap);
  chffi_hashset_apply: { parameters: ["pointer", "i32", "buffer", "usize", "buffer", "usize"], result: "i32" },
  // Streaming queries and streaming INSERT (native/stream.cpp).
  // int32_t chffi_stream_open(chffi_conn *conn, const char *sql, size_t sql_len, const char *format,
  //                           size_t format_len, const uint8_t *params, size_t params_len,
  //                           chffi_stream **out_stream, chffi_result **out_result, chffi_result_info *out_info);
  chffi_stream_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  // int32_t chffi_stream_next(chffi_stream *stream, chffi_result **out_result, chffi_result_info *out_info);
  chffi_stream_next: { parameters: ["pointer", "buffer", "buffer"], result: "i32", nonblocking: true, engine: true },
  // void chffi_stream_cancel(chffi_stream *stream);
  chffi_stream_cancel: { parameters: ["pointer"], result: "void", engine: true },
  // void chffi_stream_free(chffi_stream *stream);
  chffi_stream_free: { parameters: ["pointer"], result: "void", engine: true },
  // int32_t chffi_insert_open(chffi_conn *conn, const char *sql, size_t sql_len, const char *format,
  //                           size_t format_len, const uint8_t *params, size_t params_len,
  //                           chffi_insert **out_insert, chffi_result **out_result, chffi_result_info *out_info);
  chffi_insert_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer", "buffer"],
    result: "i32",
    engine: true,
  },
  // int32_t chffi_insert_append(chffi_insert *insert, const uint8_t *data, size_t data_len,
  //                             chffi_result **out_result, chffi_result_info *out_info);
  chffi_insert_append: {
    parameters: ["pointer", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  // int32_t chffi_insert_done(chffi_insert *insert, chffi_result **out_result, chffi_result_info *out_info);
  chffi_insert_done: { parameters: ["pointer", "buffer", "buffer"], result: "i32", nonblocking: true, engine: true },
  // void chffi_insert_cancel(chffi_insert *insert);
  chffi_insert_cancel: { parameters: ["pointer"], result: "void", engine: true },
  // void chffi_insert_free(chffi_insert *insert);
  chffi_insert_free: { parameters: ["pointer"], result: "void", engine: true },

  // Worker threads for runtimes without nonblocking FFI (native/async_worker.cpp); used by ffi/bun.ts.
  // int32_t chffi_worker_new(chffi_worker_done done, chffi_worker **out_worker);
  chffi_worker_new: { parameters: ["pointer", "buffer"], result: "i32" },
  // int32_t chffi_worker_submit(chffi_worker *worker, const void *fn, const uint64_t *args, uint32_t nargs, uint32_t tag);
  chffi_worker_submit: { parameters: ["pointer", "pointer", "buffer", "u32", "u32"], result: "i32" },
  // void chffi_worker_free(chffi_worker *worker);
  chffi_worker_free: { parameters: ["pointer"], result: "void" },

  // Engine calls from a foreign stack (native/blocking_call.cpp); used by ffi/node.ts.
  // int32_t chffi_call_blocking(const void *fn, const uint64_t *args, uint32_t nargs);
  chffi_call_blocking: { parameters: ["pointer", "buffer", "u32"], result: "i32" },

  // Statement classification (native/classify.cpp).
  // int32_t chffi_classify(chffi_conn *conn, const char *sql, size_t sql_len, uint32_t *out_analysis);
  chffi_classify: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32", engine: true },
} as const satisfies Record<string, SymbolSpec>;

/** chffi_classify classes (CHFFI_QUERY_* in native/chdb_ffi.h). */
export const QueryClass = {
  READ_ONLY: 0,
  MUTATING: 1,
  MUTATING_GLOBAL: 2,
  CONTROL: 3,
  UNKNOWN: 4,
} as const;

export type SymbolTable = typeof symbols;

/** chffi_status values (native/chdb_ffi.h). */
export const Status = {
  OK: 0,
  ENGINE_ERROR: 1,
  MISUSE: 2,
  LOAD_FAILED: 3,
  PATH_CONFLICT: 4,
  CONNECT_FAILED: 5,
  BUSY: 6,
  SHUT_DOWN: 7,
  NO_MEMORY: 8,
  INTERNAL: 9,
  IO_ERROR: 10,
  CORRUPT: 11,
} as const;

/** Byte size of chffi_result_info: 11 eight-byte fields. */
export const RESULT_INFO_WORDS = 11;
