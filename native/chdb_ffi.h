/*
 * chdb_ffi.h - the whole C ABI of the chdb-ffi shim.
 *
 * Conventions (in the style of sqlite3.h / duckdb.h):
 *   - handles are opaque; every handle has exactly one function that frees it, and that
 *     function accepts NULL;
 *   - strings and byte buffers always travel with an explicit length and need not be
 *     NUL-terminated (so SQL and data may contain NUL bytes);
 *   - fallible functions return a chffi_status; results come back through out-params;
 *   - one error channel: a fallible function whose failure has more to say than its status takes
 *     a last parameter `chffi_error ** out_error` (see chffi_error below);
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
#define CHFFI_ABI_VERSION 3

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
    CHFFI_INTERNAL = 9,      /* an unexpected C++ exception was caught at the boundary */
    CHFFI_IO_ERROR = 10,     /* a file could not be read or written; the message says why */
    CHFFI_CORRUPT = 11       /* a file is truncated, corrupted or of another format version */
} chffi_status;

/*
 * The one error channel. A function taking `chffi_error ** out_error` sets *out_error to NULL on
 * entry and, when it fails, to a new error holding the message (the engine's own text, e.g.
 * "Code: 62. DB::Exception: ...", for CHFFI_ENGINE_ERROR); NULL when even that allocation failed
 * (the status still says what). The caller frees it with chffi_error_free(), which accepts NULL;
 * out_error itself may be NULL when the message is not wanted.
 *
 * Why a per-call object and not a thread-local "last error" (sqlite3_errmsg) or a caller buffer:
 * hosts run the long calls off their JS thread (Deno's nonblocking symbols, Bun through
 * chffi_worker_submit, Node through chffi_call_blocking on a shim thread), so the thread that
 * reads the message is not the one that failed, and a thread-local would be read on the wrong
 * thread or overwritten by the next call there. The message is written through the call's own
 * out-param, which travels with the call to whatever thread runs it. A caller buffer would also
 * travel, but truncates the engine's messages (which quote the query) and costs a buffer per call
 * on the hot path, where the object costs nothing on success. (duckdb_error_data is the model.)
 */
typedef struct chffi_error chffi_error;

/* The message of an error: *out_len bytes, NUL-terminated as well, valid until chffi_error_free ("" for NULL). */
CHFFI_API const char * chffi_error_message(const chffi_error * error, uint64_t * out_len);

/* Frees an error. NULL is a no-op. */
CHFFI_API void chffi_error_free(chffi_error * error);

typedef struct chffi_conn chffi_conn;
typedef struct chffi_result chffi_result;

/* What a finished query produced. Pointers stay valid until chffi_result_free(). */
typedef struct chffi_result_info {
    const uint8_t * data;
    uint64_t data_len;
    double elapsed_seconds;
    uint64_t rows_read;
    uint64_t bytes_read;
    uint64_t storage_rows_read;
    uint64_t storage_bytes_read;
    uint64_t rows_written;
    uint64_t bytes_written;
    uint64_t flags; /* CHFFI_RESULT_* */
} chffi_result_info;

/*
 * A chunk of a streaming query (chffi_stream_open, chffi_stream_next) after which the stream has
 * ended: there is no need to call chffi_stream_next again (it would return an empty chunk).
 */
#define CHFFI_RESULT_LAST_CHUNK 1u

/* CHFFI_ABI_VERSION of the built library. */
CHFFI_API uint32_t chffi_abi_version(void);

/*
 * Opens libchdb at an absolute path and disables the engine's process-wide signal handlers.
 * Idempotent for the same path; a different path after a successful load is CHFFI_MISUSE.
 */
CHFFI_API int32_t chffi_load(const char * lib_path, size_t lib_path_len, chffi_error ** out_error);

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
    chffi_error ** out_error);

/* Closes and frees a connection. NULL is a no-op. CHFFI_BUSY (and nothing freed) while a query runs. */
CHFFI_API int32_t chffi_close(chffi_conn * conn);

/*
 * Runs SQL (one or more statements) and returns its output in `format`. params is a string list
 * of name/value pairs bound server-side to {name:Type} placeholders (params_len 0: none).
 * On CHFFI_OK, *out_result is a result to free with chffi_result_free() and out_info describes
 * it; on failure *out_result is NULL and *out_error says why. (Every call taking out_result and
 * out_info follows this rule.) Queries on one connection are serialised.
 */
CHFFI_API int32_t chffi_query(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const char * format, size_t format_len,
    const uint8_t * params, size_t params_len,
    chffi_result ** out_result,
    chffi_result_info * out_info,
    chffi_error ** out_error);

/* Frees a result from chffi_query(). NULL is a no-op. */
CHFFI_API void chffi_result_free(chffi_result * result);

/*
 * The engine's own classification of SQL (chdb_classify_query_n, ClickHouse's parser):
 * out_analysis[0] = executable statements (0 when the text does not parse), [1] = class
 * (CHFFI_QUERY_*), [2] = the engine's analysis flags. Nothing is run.
 */
#define CHFFI_QUERY_READ_ONLY 0       /* SELECT, SHOW, DESCRIBE, EXISTS, EXPLAIN */
#define CHFFI_QUERY_MUTATING 1        /* INSERT, CREATE, DROP, ALTER... */
#define CHFFI_QUERY_MUTATING_GLOBAL 2 /* functions, users, named collections */
#define CHFFI_QUERY_CONTROL 3         /* SYSTEM, KILL, SET, USE, INTO OUTFILE, BACKUP... */
#define CHFFI_QUERY_UNKNOWN 4
CHFFI_API int32_t chffi_classify(chffi_conn * conn, const char * sql, size_t sql_len, uint32_t * out_analysis);

/*
 * The engine's directory of executable UDF scripts and their *_function.xml definitions. The
 * engine was given /proc/<pid>/fd/N/ at boot, where fd N holds /dev/null. The first call with a
 * candidate (an existing absolute directory) puts that directory behind fd N; it is emptied and
 * removed at exit. Writes the directory in use ("" before) to out_path, NUL-terminated.
 */
CHFFI_API int32_t chffi_scripts_dir(
    const char * candidate, size_t candidate_len, char * out_path, size_t out_cap, chffi_error ** out_error);

/* Number of connections currently open through this shim. */
CHFFI_API uint32_t chffi_open_connections(void);

/*
 * Makes chffi_shutdown() run at process exit before the exit handlers registered so far, some of
 * which (libchdb registers them lazily) would tear the engine down under a query still running
 * on another thread. Hosts call it when their program ends (and may call it again); the shutdown
 * waits for running calls and keeps later ones from entering the engine.
 */
CHFFI_API void chffi_stop_first_at_exit(void);

/*
 * The engine stays booted on the last data path after its last connection closes (a reboot leaks
 * memory in libchdb), holding that directory's lock. This stops it, so that another process can
 * open the directory. CHFFI_BUSY (and nothing done) while a connection is open.
 */
CHFFI_API int32_t chffi_release_path(void);

/*
 * Closes every connection still open and stops the engine's threads. After it, connecting
 * fails with CHFFI_SHUT_DOWN. Call once at process exit.
 */
CHFFI_API int32_t chffi_shutdown(void);

/* ---------------------------------------------------------------------------------------------
 * Arrow results (arrow_export.cpp): Arrow C Data Interface arrays, built by the shim from the
 * engine's Native output (native_arrow.cpp) or exported by the engine, kept alive by a chffi_arrow
 * until chffi_arrow_free(). TypeScript reads the flat "layout" (uint64
 * words: the schema tree, then every batch's array tree with raw buffer addresses; the format
 * is documented in arrow_export.cpp) and wraps the buffers without copying them.
 * ------------------------------------------------------------------------------------------- */
typedef struct chffi_arrow chffi_arrow;
typedef struct chffi_arrow_stream chffi_arrow_stream;

/* Flags for the Arrow type mapping (chdb_arrow_options). */
#define CHFFI_ARROW_UNSUPPORTED_AS_BINARY 1u         /* types with no faithful mapping become binary */
#define CHFFI_ARROW_LOW_CARDINALITY_AS_DICTIONARY 2u /* LowCardinality as an Arrow dictionary */
#define CHFFI_ARROW_STRING_AS_BINARY 4u              /* String as Arrow binary instead of utf8 */
/*
 * chffi_query_arrow only: stream the result from the engine in its Native format and build the
 * Arrow batches in the shim, each block while the engine produces the next (about twice as fast
 * for large results; columns of types the shim does not build are converted by the engine, from
 * the same Native data), instead of chdb_query_arrow_n (the engine converts every block after the
 * query). The streaming API reports no query metrics: the result info then carries zeros.
 * Queries with parameters always stream.
 */
#define CHFFI_ARROW_STREAMED 8u
/*
 * chffi_query_arrow only, for row readers (cursors): every column of an Arrow result carries its
 * ClickHouse type as field metadata "clickhouse.type", and a result the shim does not build as
 * Arrow itself (see CHFFI_ARROW_STREAMED), or that the streaming API refuses, comes back instead
 * as RowBinaryWithNamesAndTypes in the result's data, with *out_arrow NULL. Implies STREAMED.
 */
#define CHFFI_ARROW_FOR_ROWS 16u
/*
 * chffi_query_arrow only: every column of an Arrow result the shim builds from the engine's
 * Native stream (see CHFFI_ARROW_STREAMED) carries its ClickHouse type as field metadata
 * "clickhouse.type" (as with CHFFI_ARROW_FOR_ROWS, without its rows fallback). Results the
 * engine exports itself carry none.
 */
#define CHFFI_ARROW_TYPE_NAMES 32u

/*
 * Runs one query and returns its whole result as Arrow. params as for chffi_query(). On CHFFI_OK
 * *out_result (metrics, and the rows of CHFFI_ARROW_FOR_ROWS) must be freed with
 * chffi_result_free() and *out_arrow owns the data; on failure both are NULL.
 */
CHFFI_API int32_t chffi_query_arrow(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const uint8_t * params, size_t params_len,
    uint32_t flags,
    chffi_arrow ** out_arrow,
    chffi_result ** out_result,
    chffi_result_info * out_info,
    chffi_error ** out_error);

/* The layout words of an Arrow result (valid until chffi_arrow_free); their count in *out_words. */
CHFFI_API const uint64_t * chffi_arrow_layout(const chffi_arrow * arrow, uint64_t * out_words);

/* Releases an Arrow result and every buffer it owns. NULL is a no-op. */
CHFFI_API void chffi_arrow_free(chffi_arrow * arrow);

/*
 * 1 when every buffer of the result is in memory the shim allocated for it (it built the
 * batches), which chffi_arrow_free_quarantined() can keep from ever being reused; 0 when some
 * are the engine's (its own Arrow export): views of those must be copies.
 */
CHFFI_API uint32_t chffi_arrow_viewable(const chffi_arrow * arrow);

/*
 * Frees a result that zero-copy views may still point into (a view was moved away with
 * ArrayBuffer.prototype.transfer, or the views went to the garbage collector unchecked): its
 * shim-allocated memory is emptied (pages read as zeros, take no memory) but stays mapped and is
 * never reused. NULL is a no-op.
 */
CHFFI_API void chffi_arrow_free_quarantined(chffi_arrow * arrow);

/*
 * Starts a streaming Arrow query. When a DESCRIBE of
 * the query shows only column types the shim builds, the engine streams Native and the shim
 * builds each batch; otherwise the batches are the engine's streaming Arrow export (same types).
 * The connection stays busy (chffi_close gives CHFFI_BUSY) until chffi_stream_arrow_free().
 */
CHFFI_API int32_t chffi_stream_arrow_open(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const uint8_t * params, size_t params_len,
    uint32_t flags,
    chffi_arrow_stream ** out_stream,
    chffi_error ** out_error);

/*
 * The next batch as a one-batch chffi_arrow (free it with chffi_arrow_free). At the end of the
 * query: once a chffi_arrow with the schema and no batch, then NULL.
 */
CHFFI_API int32_t chffi_stream_arrow_next(chffi_arrow_stream * stream, chffi_arrow ** out_batch, chffi_error ** out_error);

/* Cancels the query if it has not finished and frees the stream. NULL is a no-op. */
CHFFI_API void chffi_stream_arrow_free(chffi_arrow_stream * stream);

/* ---------------------------------------------------------------------------------------------
 * JS data as tables (arrow_scan.cpp): Arrow data in caller memory, described by a layout of the
 * same shape as above, except that a schema node is
 *   format_offset, format_len, name_offset, name_len, flags, n_children, has_dictionary
 * with offsets into a `strings` buffer, and each buffer of an array node is two words: address,
 * byte length (0, 0 for an absent or empty buffer). chffi_scan_new copies every buffer (the
 * caller's memory is not read after it returns) and checks the copy (arrow_validate.h); a
 * malformed layout or array gives CHFFI_MISUSE with a message naming the column.
 * ------------------------------------------------------------------------------------------- */
typedef struct chffi_scan chffi_scan;

/*
 * The checks of chffi_scan_new on a layout, in place: no copy, no engine, no allocation that
 * outlives the call (for tests and fuzzers). Every (address, length) of the layout must be
 * readable. CHFFI_OK, or CHFFI_MISUSE with the message in *out_error.
 */
CHFFI_API int32_t chffi_arrow_validate(
    const uint64_t * layout, size_t layout_words,
    const uint8_t * strings, size_t strings_len,
    chffi_error ** out_error);

CHFFI_API int32_t chffi_scan_new(
    const uint64_t * layout, size_t layout_words,
    const uint8_t * strings, size_t strings_len,
    chffi_scan ** out_scan,
    chffi_error ** out_error);

/*
 * Registers a fresh one-read ArrowArrayStream over the scan as arrowstream('name') (the engine's
 * registry is process-wide and consumes a stream with one read: use a fresh name per query).
 */
CHFFI_API int32_t chffi_scan_register(
    chffi_conn * conn, chffi_scan * scan,
    const char * name, size_t name_len,
    chffi_error ** out_error);

/* Unregisters a name registered by chffi_scan_register(). */
CHFFI_API int32_t chffi_scan_unregister(
    chffi_conn * conn, chffi_scan * scan, const char * name, size_t name_len, chffi_error ** out_error);

/* Unregisters every name still registered over the scan and frees it. NULL is a no-op. */
CHFFI_API void chffi_scan_free(chffi_scan * scan);
/* ---- String hash set (StringHashSet) and its column kernels ------------------------------ */

/*
 * A set of byte strings: keys in an arena, a swiss-table of pointers to them, a readers-writer
 * lock (lookups share it, updates take it alone), so one set may serve several threads.
 */
typedef struct chffi_hashset chffi_hashset;
/* A byte buffer owned by the shim (from chffi_hashset_export). */
typedef struct chffi_bytes chffi_bytes;

/* A new empty set with room for `capacity` keys. */
CHFFI_API int32_t chffi_hashset_new(uint64_t capacity, chffi_hashset ** out_set);
/* Frees a set. NULL is a no-op. The caller makes sure no other thread still uses it. */
CHFFI_API void chffi_hashset_free(chffi_hashset * set);
/* *out_inserted = 1 if the key was new. */
CHFFI_API int32_t chffi_hashset_insert(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_inserted);
CHFFI_API int32_t chffi_hashset_contains(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_found);
/* *out_removed = 1 if the key was there. */
CHFFI_API int32_t chffi_hashset_remove(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_removed);
CHFFI_API int32_t chffi_hashset_clear(chffi_hashset * set);
/* out_stats[0] = keys, [1] = bytes of all keys, [2] = bytes of memory held (arena + table). */
CHFFI_API int32_t chffi_hashset_stats(chffi_hashset * set, uint64_t * out_stats);
/*
 * Copies every key into a new buffer as a string list (uint32 length + bytes, repeated).
 * out_view[0] = address, [1] = byte length, [2] = key count; free with chffi_bytes_free().
 */
CHFFI_API int32_t chffi_hashset_export(chffi_hashset * set, chffi_bytes ** out_bytes, uint64_t * out_view);
CHFFI_API void chffi_bytes_free(chffi_bytes * bytes);
/* Writes the set to `path` atomically (temporary file, fsync, rename). CHFFI_IO_ERROR on failure. */
CHFFI_API int32_t chffi_hashset_save(chffi_hashset * set, const char * path, size_t path_len, chffi_error ** out_error);
/* Reads a file written by chffi_hashset_save into a new set; CHFFI_CORRUPT if it does not verify. */
CHFFI_API int32_t chffi_hashset_load(const char * path, size_t path_len, chffi_hashset ** out_set, chffi_error ** out_error);

/* Column kinds of a chunk descriptor. */
#define CHFFI_COLUMN_UTF8 1        /* Arrow Utf8: int32 offsets */
#define CHFFI_COLUMN_LARGE_UTF8 2  /* Arrow LargeUtf8: int64 offsets */
#define CHFFI_COLUMN_DICTIONARY 3  /* Arrow Dictionary<Utf8 or LargeUtf8> */

/* The operations of chffi_hashset_apply. Null rows give null results and are never inserted. */
#define CHFFI_OP_IS_IN 0
#define CHFFI_OP_NOT_IN 1
#define CHFFI_OP_NOT_IN_AND_UPDATE 2          /* rows judged against the set before the call, then inserted */
#define CHFFI_OP_NOT_IN_AND_UPDATE_ROWWISE 3  /* row by row: true for a value's first occurrence */
#define CHFFI_OP_UPDATE 4                     /* inserts; writes no result */
#define CHFFI_OP_UPDATE_BOOL 5                /* row by row: true if newly inserted */

/*
 * Words (uint64) per chunk descriptor. A chunk is one Arrow array, read in place:
 *   [0] kind  [1] rows  [2] validity bitmap address (0: all valid)  [3] bit offset into it
 *   [4] offsets address (Utf8: int32, LargeUtf8: int64; already at the first row) or, for a
 *       dictionary, indices address  [5] data address, or for a dictionary the index width in
 *       bytes (1, 2, 4, 8) | 0x100 if signed  [6] data bytes  [7] 0
 *   [8] output values bitmap (rows bits, zeroed; 0: none)  [9] output validity bitmap (0: none)
 *   [10..15] 0
 *   [16..22] for a dictionary: its Utf8/LargeUtf8 values as words [0..6]  [23] 0
 */
#define CHFFI_CHUNK_WORDS 24

/*
 * Runs one operation over all chunks of a column, in order, under one lock acquisition.
 * Every descriptor is validated before any row is read (CHFFI_MISUSE with a message otherwise).
 */
CHFFI_API int32_t chffi_hashset_apply(
    chffi_hashset * set, int32_t op, const uint64_t * chunks, size_t chunk_count, chffi_error ** out_error);

/* ---- Streaming queries and streaming INSERT (native/stream.cpp) ----
 * A stream keeps its connection busy until freed: chffi_close() gives CHFFI_BUSY meanwhile.
 * Calls taking out_result and out_info follow chffi_query()'s rule.
 */
typedef struct chffi_stream chffi_stream;
typedef struct chffi_insert chffi_insert;

/*
 * Starts a streaming query and returns its first chunk, so that a small result costs one call.
 * When that chunk is smaller than 64 KiB the shim fetches the next one before returning (it, or
 * the error that ended the query, comes with the first chffi_stream_next()), so as to mark a
 * last first chunk CHFFI_RESULT_LAST_CHUNK: the first chunk of such a result comes when the
 * engine has produced the one after it. *out_stream must be freed with chffi_stream_free(), and
 * is NULL (the shim freed the stream) when the first chunk is the last or the call failed (an
 * error of the query's first block included).
 */
CHFFI_API int32_t chffi_stream_open(
    chffi_conn * conn,
    const char * sql, size_t sql_len,
    const char * format, size_t format_len,
    const uint8_t * params, size_t params_len,
    chffi_stream ** out_stream,
    chffi_result ** out_result,
    chffi_result_info * out_info,
    chffi_error ** out_error);

/*
 * The next chunk of output, as soon as the engine has it; an empty chunk (CHFFI_OK, data_len 0)
 * means the stream has ended. A chunk is marked CHFFI_RESULT_LAST_CHUNK when the shim already
 * knows the stream ended with it (the chunk fetched ahead by chffi_stream_open).
 */
CHFFI_API int32_t chffi_stream_next(
    chffi_stream * stream, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error);

/* Stops the query between chunks; a chunk fetched ahead is dropped. Further chffi_stream_next() calls return an empty chunk. */
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
    chffi_error ** out_error);

/* Appends one chunk of input (copied). */
CHFFI_API int32_t chffi_insert_append(chffi_insert * insert, const uint8_t * data, size_t data_len, chffi_error ** out_error);

/* Ends the input and commits; out_info carries rows_written / bytes_written. */
CHFFI_API int32_t chffi_insert_done(
    chffi_insert * insert, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error);

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
 * Queues a call of fn, the address of one of the calls listed in native/runnable.cpp (those that
 * may block: chffi_query, chffi_query_arrow, chffi_stream_next...), with its nargs arguments as
 * 64-bit words (copied).
 * Anything the arguments point to must stay valid until done() reports the tag.
 */
CHFFI_API int32_t chffi_worker_submit(chffi_worker * worker, const void * fn, const uint64_t * args, uint32_t nargs, uint32_t tag);

/* Runs the calls still queued, stops the thread and frees the worker. NULL is a no-op. */
CHFFI_API void chffi_worker_free(chffi_worker * worker);

/* ---- Engine calls from a foreign stack (native/blocking_call.cpp) ----
 * Runs fn (one of the engine-entering calls: chffi_load, chffi_connect, chffi_close, chffi_shutdown,
 * chffi_query, chffi_query_arrow, the chffi_stream_*, chffi_stream_arrow_*, chffi_insert_* calls,
 * chffi_scan_register/unregister/free) with its nargs arguments as 64-bit words on a shim-owned
 * thread with an ordinary stack, and blocks until it returns. Returns fn's status (CHFFI_OK for a
 * void fn), or CHFFI_MISUSE for any other fn. For FFIs that run calls on their own stack (koffi):
 * the engine refuses to run where the stack pointer lies outside the thread's stack.
 */
CHFFI_API int32_t chffi_call_blocking(const void * fn, const uint64_t * args, uint32_t nargs);

/* ---- Fault injection, for the shim's tests only (native/fault.h) ----
 * Arms the n-th fault point reached from now on (an allocation, an engine call or a file
 * operation that can fail for real) to fail once; n <= 0 disarms. Returns how many fault points
 * were still to pass before the armed one (0: it was reached or nothing was armed), so a test can
 * walk n = 1, 2, ... over a call until the call no longer reaches the n-th point.
 */
CHFFI_API int32_t chffi_test_fail_at(int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* CHDB_FFI_H */
