/*
 * chdb_ffi.h - the whole C ABI of the chdb-ffi shim.
 *
 * Conventions (in the style of sqlite3.h / duckdb.h):
 *   - handles are opaque; every handle has exactly one function that frees it, and that
 *     function accepts NULL;
 *   - strings and byte buffers always travel with an explicit length and need not be
 *     NUL-terminated (so SQL and data may contain NUL bytes);
 *   - fallible functions return a chffi_status; results come back through out-params;
 *   - no C++ exception ever crosses this boundary.
 *
 * Lists of strings (connection options, query parameters) are passed as one "string list"
 * buffer: a sequence of entries, each a little-endian uint32 byte length followed by that
 * many bytes. Parameters are such a list of alternating names and values.
 */
#ifndef CHDB_FFI_H
#define CHDB_FFI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shim is built with hidden visibility; only what is marked here is exported. */
#define CHFFI_API __attribute__((visibility("default")))

/* Bumped on every incompatible change; the TypeScript loader refuses a shim of another version. */
#define CHFFI_ABI_VERSION 1

typedef enum chffi_status {
    CHFFI_OK = 0,
    CHFFI_ENGINE_ERROR = 1,  /* the engine rejected the query; the message is in the result */
    CHFFI_MISUSE = 2,        /* NULL handle, malformed argument, engine not loaded */
    CHFFI_LOAD_FAILED = 3,   /* libchdb could not be opened or lacks a symbol */
    CHFFI_PATH_CONFLICT = 4, /* another data path is open in this process */
    CHFFI_CONNECT_FAILED = 5,
    CHFFI_BUSY = 6,          /* the connection has a query in flight */
    CHFFI_SHUT_DOWN = 7,     /* chffi_shutdown() already ran */
    CHFFI_NO_MEMORY = 8,
    CHFFI_INTERNAL = 9       /* an unexpected C++ exception was caught at the boundary */
} chffi_status;

typedef struct chffi_conn chffi_conn;
typedef struct chffi_result chffi_result;

/* What a finished query produced. Pointers stay valid until chffi_result_free(). */
typedef struct chffi_result_info {
    const uint8_t * data;
    uint64_t data_len;
    const char * error; /* NULL when the query succeeded */
    uint64_t error_len;
    double elapsed_seconds;
    uint64_t rows_read;
    uint64_t bytes_read;
    uint64_t storage_rows_read;
    uint64_t storage_bytes_read;
    uint64_t rows_written;
    uint64_t bytes_written;
} chffi_result_info;

/* CHFFI_ABI_VERSION of the built library. */
CHFFI_API uint32_t chffi_abi_version(void);

/*
 * Opens libchdb at an absolute path and disables the engine's process-wide signal handlers.
 * Idempotent for the same path; a different path after a successful load is CHFFI_MISUSE.
 * On failure a NUL-terminated message (truncated to err_cap) is written to err.
 */
CHFFI_API int32_t chffi_load(const char * lib_path, size_t lib_path_len, char * err, size_t err_cap);

/* The engine's version string, or NULL before chffi_load(). Owned by the engine. */
CHFFI_API const char * chffi_engine_version(void);

/*
 * Connects to the engine. path is ":memory:" or a normalised absolute directory; options is a
 * string list of "--name=value" arguments. One data path per process: while any connection is
 * open, a different path gives CHFFI_PATH_CONFLICT with a message naming both paths.
 */
CHFFI_API int32_t chffi_connect(
    const char * path, size_t path_len,
    const uint8_t * options, size_t options_len,
    chffi_conn ** out_conn,
    char * err, size_t err_cap);

/* Closes and frees a connection. NULL is a no-op. CHFFI_BUSY (and nothing freed) while a query runs. */
CHFFI_API int32_t chffi_close(chffi_conn * conn);

/*
 * Runs SQL (one or more statements) and returns its output in `format`. params is a string list
 * of name/value pairs bound server-side to {name:Type} placeholders (params_len 0: none).
 * Except on CHFFI_NO_MEMORY, *out_result is set to a result that must be freed with
 * chffi_result_free() whatever the status; out_info describes it (error set on failure).
 * Queries on one connection are serialised.
 */
CHFFI_API int32_t chffi_query(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const char * format, size_t format_len,
    const uint8_t * params, size_t params_len,
    chffi_result ** out_result,
    chffi_result_info * out_info);

/* Frees a result from chffi_query(). NULL is a no-op. */
CHFFI_API void chffi_result_free(chffi_result * result);

/* Number of connections currently open through this shim. */
CHFFI_API uint32_t chffi_open_connections(void);

/*
 * Closes every connection still open and stops the engine's threads. After it, connecting
 * fails with CHFFI_SHUT_DOWN. Call once at process exit.
 */
CHFFI_API int32_t chffi_shutdown(void);


/* ---- Streaming queries and streaming INSERT (native/stream.cpp) ----
 * A stream keeps its connection busy until freed: chffi_close() gives CHFFI_BUSY meanwhile.
 * Like chffi_query(), every call that takes out_result sets it (except on CHFFI_NO_MEMORY) to a
 * result that must be freed with chffi_result_free() whatever the status; errors are in out_info.
 */
typedef struct chffi_stream chffi_stream;
typedef struct chffi_insert chffi_insert;

/* Starts a streaming query; on success *out_stream must be freed with chffi_stream_free(). */
CHFFI_API int32_t chffi_stream_open(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const char * format, size_t format_len,
    const uint8_t * params, size_t params_len,
    chffi_stream ** out_stream,
    chffi_result ** out_result,
    chffi_result_info * out_info);

/* The next chunk of output; an empty chunk (data_len 0, no error) means the stream has ended. */
CHFFI_API int32_t chffi_stream_next(chffi_stream * stream, chffi_result ** out_result, chffi_result_info * out_info);

/* Stops the query between chunks. Further chffi_stream_next() calls report an error. */
CHFFI_API void chffi_stream_cancel(chffi_stream * stream);

/* Cancels the query if it has not ended and frees the stream. NULL is a no-op. */
CHFFI_API void chffi_stream_free(chffi_stream * stream);

/*
 * Starts a streaming INSERT: sql is an INSERT without FORMAT clause or data, format the input
 * format of the appended chunks. On success *out_insert must be freed with chffi_insert_free().
 */
CHFFI_API int32_t chffi_insert_open(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const char * format, size_t format_len,
    const uint8_t * params, size_t params_len,
    chffi_insert ** out_insert,
    chffi_result ** out_result,
    chffi_result_info * out_info);

/* Appends one chunk of input (copied). */
CHFFI_API int32_t chffi_insert_append(
    chffi_insert * insert, const uint8_t * data, size_t data_len, chffi_result ** out_result, chffi_result_info * out_info);

/* Ends the input and commits; out_info carries rows_written / bytes_written. */
CHFFI_API int32_t chffi_insert_done(chffi_insert * insert, chffi_result ** out_result, chffi_result_info * out_info);

/* Abandons the INSERT without committing what was not yet written. */
CHFFI_API void chffi_insert_cancel(chffi_insert * insert);

/* Cancels the INSERT if it was not done and frees it. NULL is a no-op. */
CHFFI_API void chffi_insert_free(chffi_insert * insert);

/* ---- Worker threads for hosts without nonblocking FFI calls (native/async_worker.cpp) ---- */
typedef struct chffi_worker chffi_worker;

/* Called on the worker's thread after each call, with the call's tag and chffi_status. */
typedef void (*chffi_worker_done)(uint32_t tag, int32_t status);

/* Starts a worker thread that runs submitted calls one at a time, in order. */
CHFFI_API int32_t chffi_worker_new(chffi_worker_done done, chffi_worker ** out_worker);

/*
 * Queues a call of fn, the address of one of chffi_query, chffi_stream_open, chffi_stream_next,
 * chffi_insert_append or chffi_insert_done, with its nargs arguments as 64-bit words (copied).
 * Anything the arguments point to must stay valid until done() reports the tag.
 */
CHFFI_API int32_t chffi_worker_submit(chffi_worker * worker, const void * fn, const uint64_t * args, uint32_t nargs, uint32_t tag);

/* Runs the calls still queued, stops the thread and frees the worker. NULL is a no-op. */
CHFFI_API void chffi_worker_free(chffi_worker * worker);

#ifdef __cplusplus
}
#endif

#endif /* CHDB_FFI_H */
