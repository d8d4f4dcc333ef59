// The subset of libchdb the shim calls, resolved at run time with dlsym so that the shim never
// bakes libchdb's absolute path into its own dynamic section (libchdb has no SONAME).
// Declarations written from the documented C API of chDB (programs/local/chdb.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace chffi {

struct EngineConnection; // chdb_connection's pointee: only ever handled through pointers
struct EngineResult;     // chdb_result

struct EngineApi {
    const char * (*version)();
    void (*set_signal_handlers_enabled)(int enabled);
    EngineConnection ** (*connect)(int argc, char ** argv);
    void (*close_conn)(EngineConnection ** conn);
    EngineResult * (*query_n)(EngineConnection * conn, const char * sql, size_t sql_len, const char * format, size_t format_len);
    EngineResult * (*query_with_params_n)(
        EngineConnection * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
        const char * const * names, const size_t * name_lens, const char * const * values, const size_t * value_lens,
        size_t count);
    void (*destroy_result)(EngineResult * result);
    char * (*result_buffer)(EngineResult * result);
    size_t (*result_length)(EngineResult * result);
    double (*result_elapsed)(EngineResult * result);
    uint64_t (*result_rows_read)(EngineResult * result);
    uint64_t (*result_bytes_read)(EngineResult * result);
    uint64_t (*result_storage_rows_read)(EngineResult * result);
    uint64_t (*result_storage_bytes_read)(EngineResult * result);
    uint64_t (*result_rows_written)(EngineResult * result);
    uint64_t (*result_bytes_written)(EngineResult * result);
    const char * (*result_error)(EngineResult * result);
    int (*shutdown)();

    // Streaming queries (optional, like the Arrow API below).
    EngineResult * (*stream_query_n)(EngineConnection * conn, const char * sql, size_t sql_len, const char * format, size_t format_len);
    EngineResult * (*stream_query_with_params_n)(
        EngineConnection * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
        const char * const * names, const size_t * name_lens, const char * const * values, const size_t * value_lens,
        size_t count);
    EngineResult * (*stream_fetch_result)(EngineConnection * conn, EngineResult * stream);

    // Arrow C Data Interface (optional: older engines lack them; callers check for nullptr).
    // The stream/schema/array handles are really ArrowArrayStream* etc. (arrow_abi.h).
    EngineResult * (*query_arrow_n)(EngineConnection * conn, const char * sql, size_t sql_len, void * out_stream, const void * options);
    EngineResult * (*stream_query_arrow_n)(EngineConnection * conn, const char * sql, size_t sql_len, const void * options);
    EngineResult * (*stream_query_arrow_with_params_n)(
        EngineConnection * conn, const char * sql, size_t sql_len, const void * options, const char * const * names,
        const size_t * name_lens, const char * const * values, const size_t * value_lens, size_t count);
    int (*stream_fetch_arrow)(EngineConnection * conn, EngineResult * stream, void * out_batch);
    void (*stream_cancel_query)(EngineConnection * conn, EngineResult * stream);
    int (*arrow_scan)(EngineConnection * conn, const char * name, void * stream);
    int (*arrow_unregister_table)(EngineConnection * conn, const char * name);
};

// chdb_arrow_options: how the engine maps types to Arrow.
struct EngineArrowOptions {
    int unsupported_as_binary;
    int low_cardinality_as_dictionary;
    int string_as_string;
};

// The loaded engine, or nullptr before a successful chffi_load().
const EngineApi * engine();

// Resolves a further libchdb symbol (nullptr before chffi_load() or when absent), for source
// files that need parts of the C API beyond EngineApi.
void * engine_symbol(const char * name);

} // namespace chffi
