// The baseline for benchmarks: libchdb's own C API called straight from the runtime, with no
// shim and no API layer: the least any binding has to do (query, check error, copy out, free).
import { native } from "./internals.ts";
import { openLibchdb, type RawSymbol } from "./raw_ffi.ts";

/** The part of libchdb's C API the raw baselines call (also bench/reboot_leak.ts). */
export const rawSymbols = {
  // chdb_connection *chdb_connect(int argc, char **argv);
  chdb_connect: { parameters: ["i32", "buffer"], result: "pointer" },
  // void chdb_close_conn(chdb_connection *conn);
  chdb_close_conn: { parameters: ["pointer"], result: "void" },
  // chdb_result *chdb_query_n(chdb_connection conn, const char *query, size_t query_len,
  //                           const char *format, size_t format_len);
  chdb_query_n: { parameters: ["pointer", "buffer", "usize", "buffer", "usize"], result: "pointer" },
  // chdb_result *chdb_stream_query_n(chdb_connection conn, const char *query, size_t query_len,
  //                                  const char *format, size_t format_len);
  chdb_stream_query_n: { parameters: ["pointer", "buffer", "usize", "buffer", "usize"], result: "pointer" },
  // chdb_result *chdb_stream_fetch_result(chdb_connection conn, chdb_result *result);
  chdb_stream_fetch_result: { parameters: ["pointer", "pointer"], result: "pointer" },
  // const char *chdb_result_error(chdb_result *result);
  chdb_result_error: { parameters: ["pointer"], result: "pointer" },
  // char *chdb_result_buffer(chdb_result *result);
  chdb_result_buffer: { parameters: ["pointer"], result: "pointer" },
  // size_t chdb_result_length(chdb_result *result);
  chdb_result_length: { parameters: ["pointer"], result: "usize" },
  // void chdb_destroy_query_result(chdb_result *result);
  chdb_destroy_query_result: { parameters: ["pointer"], result: "void" },
} as const satisfies Record<string, RawSymbol>;

export interface RawConnection {
  query(sql: string, format: string): Uint8Array;
  /** The engine's streamed route: start, fetch until an empty chunk; the chunks' bytes. */
  stream(sql: string, format: string): Uint8Array[];
  close(): void;
}

/** Opens an in-memory connection through libchdb directly (same engine, same process). */
export function rawConnect(): RawConnection {
  const lib = native(); // loads libchdb through the shim first (signal handlers off), as the API does
  const raw = openLibchdb(rawSymbols);
  const arg0 = new TextEncoder().encode("chdb\0");
  const argv = new BigUint64Array([lib.addressOf(arg0), 0n]);
  const connPtr = raw.chdb_connect(1, argv);
  if (connPtr === null) throw new Error("chdb_connect failed");
  const conn = lib.pointer(new BigUint64Array(lib.copy(lib.address(connPtr), 8).buffer)[0]);
  const encoder = new TextEncoder();
  // The result's bytes, copied out, then the result freed (its error thrown).
  // deno-lint-ignore no-explicit-any
  const take = (result: any): Uint8Array => {
    try {
      const error = raw.chdb_result_error(result);
      if (error !== null) throw new Error(lib.cString(error) ?? "error");
      return lib.copy(lib.address(raw.chdb_result_buffer(result)), Number(raw.chdb_result_length(result)));
    } finally {
      raw.chdb_destroy_query_result(result);
    }
  };
  return {
    query(sql, format) {
      const q = encoder.encode(sql);
      const f = encoder.encode(format);
      return take(raw.chdb_query_n(conn, q, q.length, f, f.length));
    },
    stream(sql, format) {
      const q = encoder.encode(sql);
      const f = encoder.encode(format);
      const stream = raw.chdb_stream_query_n(conn, q, q.length, f, f.length);
      const chunks: Uint8Array[] = [];
      try {
        const error = raw.chdb_result_error(stream);
        if (error !== null) throw new Error(lib.cString(error) ?? "error");
        for (let chunk = take(raw.chdb_stream_fetch_result(conn, stream)); chunk.length > 0;) {
          chunks.push(chunk);
          chunk = take(raw.chdb_stream_fetch_result(conn, stream));
        }
        return chunks;
      } finally {
        raw.chdb_destroy_query_result(stream);
      }
    },
    close() {
      raw.chdb_close_conn(connPtr);
    },
  };
}
