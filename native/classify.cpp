// What a statement would do, decided by the engine's own parser before it runs
// (chdb_classify_query_n), so that read-only APIs can refuse writes instead of running them.
#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"

namespace {

// chdb_query_analysis_v1, declared from chDB's documented C API: versioned by its size.
struct QueryAnalysisV1 {
    uint32_t struct_size;
    uint32_t statement_count;
    uint32_t flags;
    uint32_t query_class;
};

using ClassifyFn = int (*)(chffi::EngineConnection * conn, const char * sql, size_t sql_len, const char * target_db,
    size_t target_db_len, QueryAnalysisV1 * out);

} // namespace

extern "C" int32_t chffi_classify(chffi_conn * conn, const char * sql, size_t sql_len, uint32_t * out_analysis) {
    return chffi::guarded(nullptr, 0, [&] {
        if (conn == nullptr || out_analysis == nullptr || (sql == nullptr && sql_len != 0))
            return static_cast<int32_t>(CHFFI_MISUSE);
        static const auto classify = reinterpret_cast<ClassifyFn>(chffi::engine_symbol("chdb_classify_query_n"));
        if (classify == nullptr)
            return static_cast<int32_t>(CHFFI_LOAD_FAILED);
        if (conn->open_streams.load() != 0)
            return static_cast<int32_t>(CHFFI_BUSY);
        chffi::InFlight in_flight(conn);
        std::lock_guard lock(conn->query_mutex); // it uses the connection's session (current database, settings)
        QueryAnalysisV1 analysis{sizeof(QueryAnalysisV1), 0, 0, CHFFI_QUERY_UNKNOWN};
        if (classify(*conn->handle, sql ? sql : "", sql_len, nullptr, 0, &analysis) != 0)
            return static_cast<int32_t>(CHFFI_ENGINE_ERROR);
        out_analysis[0] = analysis.query_class;
        out_analysis[1] = analysis.statement_count;
        out_analysis[2] = analysis.flags;
        return static_cast<int32_t>(CHFFI_OK);
    });
}
