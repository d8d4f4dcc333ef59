// The one neutral symbol table of the shim (native/chdb_ffi.h; tests/abi.test.ts checks every
// entry against its C prototype). Backends translate the neutral type names into their runtime's
// FFI types.

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
  chffi_abi_version: { parameters: [], result: "u32" },
  chffi_error_message: { parameters: ["pointer", "buffer"], result: "pointer" },
  chffi_error_free: { parameters: ["pointer"], result: "void" },
  chffi_load: { parameters: ["buffer", "usize", "buffer"], result: "i32", engine: true },
  chffi_engine_version: { parameters: [], result: "pointer" },
  chffi_connect: {
    parameters: ["buffer", "usize", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    engine: true,
  },
  chffi_close: { parameters: ["pointer"], result: "i32", engine: true },
  chffi_query: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  chffi_result_free: { parameters: ["pointer"], result: "void" },
  chffi_classify: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32", engine: true },
  chffi_scripts_dir: { parameters: ["buffer", "usize", "buffer", "usize", "buffer"], result: "i32" },
  chffi_open_connections: { parameters: [], result: "u32" },
  chffi_stop_first_at_exit: { parameters: [], result: "void" },
  chffi_release_path: { parameters: [], result: "i32", engine: true },
  chffi_shutdown: { parameters: [], result: "i32", engine: true },
  // ---- Arrow (native/arrow_export.cpp, native/arrow_scan.cpp) ----
  chffi_query_arrow: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "u32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  chffi_arrow_layout: { parameters: ["pointer", "buffer"], result: "pointer" },
  chffi_arrow_free: { parameters: ["pointer"], result: "void" },
  chffi_arrow_viewable: { parameters: ["pointer"], result: "u32" },
  chffi_arrow_free_quarantined: { parameters: ["pointer"], result: "void" },
  chffi_stream_arrow_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "u32", "buffer", "buffer"],
    result: "i32",
    engine: true,
  },
  chffi_stream_arrow_next: { parameters: ["pointer", "buffer", "buffer"], result: "i32", engine: true },
  chffi_stream_arrow_free: { parameters: ["pointer"], result: "void", engine: true },
  chffi_arrow_validate: { parameters: ["buffer", "usize", "buffer", "usize", "buffer"], result: "i32" },
  chffi_scan_new: { parameters: ["buffer", "usize", "buffer", "usize", "buffer", "buffer"], result: "i32" },
  chffi_scan_register: {
    parameters: ["pointer", "pointer", "buffer", "usize", "buffer"],
    result: "i32",
    engine: true,
  },
  chffi_scan_unregister: {
    parameters: ["pointer", "pointer", "buffer", "usize", "buffer"],
    result: "i32",
    engine: true,
  },
  chffi_scan_free: { parameters: ["pointer"], result: "void", engine: true },

  // ---- string hash set (native/hashset.cpp, native/hashfilter_kernels.cpp) ----
  chffi_hashset_new: { parameters: ["usize", "buffer"], result: "i32" },
  chffi_hashset_free: { parameters: ["pointer"], result: "void" },
  chffi_hashset_insert: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  chffi_hashset_contains: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  chffi_hashset_remove: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  chffi_hashset_clear: { parameters: ["pointer"], result: "i32" },
  chffi_hashset_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  chffi_hashset_export: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  chffi_bytes_free: { parameters: ["pointer"], result: "void" },
  chffi_hashset_save: { parameters: ["pointer", "buffer", "usize", "buffer"], result: "i32" },
  chffi_hashset_load: { parameters: ["buffer", "usize", "buffer", "buffer"], result: "i32" },
  chffi_hashset_apply: { parameters: ["pointer", "i32", "buffer", "usize", "buffer"], result: "i32" },
  // Streaming queries and streaming INSERT (native/stream.cpp).
  chffi_stream_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  chffi_stream_next: { parameters: ["pointer", "buffer", "buffer", "buffer"], result: "i32", nonblocking: true, engine: true },
  chffi_stream_cancel: { parameters: ["pointer"], result: "void", engine: true },
  chffi_stream_free: { parameters: ["pointer"], result: "void", engine: true },
  chffi_insert_open: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "buffer", "usize", "buffer", "buffer"],
    result: "i32",
    engine: true,
  },
  chffi_insert_append: {
    parameters: ["pointer", "buffer", "usize", "buffer"],
    result: "i32",
    nonblocking: true,
    engine: true,
  },
  chffi_insert_done: { parameters: ["pointer", "buffer", "buffer", "buffer"], result: "i32", nonblocking: true, engine: true },
  chffi_insert_cancel: { parameters: ["pointer"], result: "void", engine: true },
  chffi_insert_free: { parameters: ["pointer"], result: "void", engine: true },

  // Worker threads for runtimes without nonblocking FFI (native/async_worker.cpp); used by ffi/bun.ts.
  chffi_worker_new: { parameters: ["pointer", "buffer"], result: "i32" },
  chffi_worker_submit: { parameters: ["pointer", "pointer", "buffer", "u32", "u32"], result: "i32" },
  chffi_worker_free: { parameters: ["pointer"], result: "void" },

  // Engine calls from a foreign stack (native/blocking_call.cpp); used by ffi/node.ts.
  chffi_call_blocking: { parameters: ["pointer", "buffer", "u32"], result: "i32" },

  // Fault injection for the shim's tests (native/fault.h); tests/fault_injection.test.ts.
  chffi_test_fail_at: { parameters: ["i32"], result: "i32" },
} as const satisfies Record<string, SymbolSpec>;

export type SymbolTable = typeof symbols;

/**
 * chffi_status values (native/chdb_ffi.h). Defined here because the backends report their own
 * failures as statuses; everything above ffi/ takes them from src/core/abi.ts.
 */
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
