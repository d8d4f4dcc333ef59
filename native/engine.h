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
};

// The loaded engine, or nullptr before a successful chffi_load().
const EngineApi * engine();

// Resolves a further libchdb symbol (nullptr before chffi_load() or when absent), for source
// files that need parts of the C API beyond EngineApi.
void * engine_symbol(const char * name);

} // namespace chffi
