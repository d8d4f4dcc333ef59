// Connections, the one-data-path-per-process rule, queries and their results.
#include "boundary.h"
#include "chdb_ffi.h"
#include "engine.h"
#include "string_list.h"
#include "connection.h"
#include "access.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace chffi {
namespace {

// Process-wide: the engine itself allows one data path per process.
struct Registry {
    std::mutex mutex;
    std::string path;
    std::unordered_set<chffi_conn *> open;
    bool shut_down = false;
    // A connection of the shim's own, on the engine's current data path, that keeps the engine
    // booted while no user connection is open: without it every connect after the last close
    // boots the engine again, which costs 20-130 ms and leaks 0.1-2 MB in libchdb each time (more
    // with MergeTree tables; bench/README.md). Closed before another data path is opened (the
    // engine then boots on that path), by chffi_release_path() and at shutdown. While it is open
    // the engine keeps its lock on a directory path: other processes cannot open it.
    EngineConnection ** keeper = nullptr;
    // The identity of the directory and of the engine's lock file when the keeper was opened: a
    // directory removed or emptied since then makes the next connect boot the engine afresh
    // instead of serving the warm engine's stale view of it.
    std::string identity;
};

Registry & registry() {
    static Registry * r = new Registry(); // never destroyed: usable from atexit handlers
    return *r;
}

bool has_nul(std::string_view s) {
    return s.find('\0') != std::string_view::npos;
}

std::string file_identity(const std::string & file) {
    struct stat st;
    if (stat(file.c_str(), &st) != 0)
        return "-";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// ":memory:" has no directory to check; a directory path is identified by its own inode and the
// inode of the `status` file the engine creates and locks in it at boot.
std::string path_identity(std::string_view path) {
    if (path == ":memory:")
        return ":memory:";
    std::string dir(path);
    return file_identity(dir) + "/" + file_identity(dir + "/status");
}

void close_keeper(const EngineApi & api, Registry & reg) {
    if (reg.keeper == nullptr)
        return;
    api.close_conn(reg.keeper);
    reg.keeper = nullptr;
    reg.identity.clear();
}

int32_t connect(std::string_view path, const uint8_t * options, size_t options_len, chffi_conn ** out, chffi_error ** out_error) {
    const EngineApi * api = engine();
    if (api == nullptr)
        return chffi::report(out_error, CHFFI_MISUSE, "libchdb is not loaded (call chffi_load first)");
    if (path.empty() || has_nul(path))
        return chffi::report(out_error, CHFFI_MISUSE, "invalid data path: empty or contains a NUL byte");
    std::vector<std::string_view> option_views;
    if (!decode_string_list(options, options_len, option_views))
        return chffi::report(out_error, CHFFI_MISUSE, "malformed option list");
    std::vector<std::string> args{"chdb"};
    if (path != ":memory:")
        args.push_back("--path=" + std::string(path));
    for (std::string_view option : option_views) {
        if (has_nul(option))
            return chffi::report(out_error, CHFFI_MISUSE, "connection option contains a NUL byte");
        args.emplace_back(option);
    }
    std::string access_error;
    for (std::string & option : access_options(access_error))
        args.push_back(std::move(option));
    if (!access_error.empty())
        return chffi::report(out_error, CHFFI_CONNECT_FAILED, access_error);
    std::vector<char *> argv;
    for (std::string & a : args)
        argv.push_back(a.data());

    Registry & reg = registry();
    std::lock_guard lock(reg.mutex);
    if (reg.shut_down)
        return chffi::report(out_error, CHFFI_SHUT_DOWN, "the chDB engine has been shut down in this process");
    if (!reg.open.empty() && reg.path != path) {
        return report(out_error, CHFFI_PATH_CONFLICT,
            "chDB allows one data path per process: " + reg.path + " is open (" + std::to_string(reg.open.size())
                + " connection(s)); close them before connecting to " + std::string(path));
    }
    if (reg.keeper != nullptr && reg.open.empty() && (reg.path != path || reg.identity != path_identity(path)))
        close_keeper(*api, reg);
    // Allocated before the engine connects: a failure after connecting would leak the engine's
    // connection, and the engine then refuses to shut down.
    fault::allocation();
    auto owned = std::make_unique<chffi_conn>();
    owned->path = std::string(path);
    std::string next_path = owned->path;
    EngineConnection ** handle = CHFFI_FAULT_OR(nullptr, api->connect(static_cast<int>(argv.size()), argv.data()));
    if (handle == nullptr || *handle == nullptr) {
        std::string message = "chdb_connect failed for " + std::string(path);
        for (size_t i = 1; i < args.size(); ++i)
            message += (i == 1 ? " with " : " ") + args[i];
        message += " (the engine gives no reason: check that the path is a writable directory and every option is a valid setting)";
        return chffi::report(out_error, CHFFI_CONNECT_FAILED, message);
    }
    owned->handle = handle;
    try {
        reg.open.insert(owned.get());
    } catch (...) {
        api->close_conn(handle);
        throw;
    }
    chffi_conn * conn = owned.release();
    reg.path.swap(next_path);
    *out = conn;
    if (reg.keeper == nullptr) {
        // argv[0] and the path only: the connection's own settings are not the keeper's.
        int keeper_argc = path == ":memory:" ? 1 : 2;
        EngineConnection ** keeper = api->connect(keeper_argc, argv.data());
        if (keeper != nullptr && *keeper != nullptr) {
            reg.keeper = keeper;
            reg.identity = path_identity(path);
        }
    }
    return CHFFI_OK;
}

void close_locked(Registry & reg, chffi_conn * conn) {
    reg.open.erase(conn);
    if (const EngineApi * api = engine())
        api->close_conn(conn->handle);
    delete conn;
}

int32_t query(chffi_conn * conn, std::string_view sql, std::string_view format, const uint8_t * params, size_t params_len,
    chffi_result * result, chffi_result_info * info) {
    const EngineApi * api = engine();
    if (api == nullptr)
        return fail(result, CHFFI_MISUSE, "libchdb is not loaded");
    if (conn == nullptr)
        return fail(result, CHFFI_MISUSE, "query on a NULL connection");
    Params p;
    if (!p.decode(params, params_len))
        return fail(result, CHFFI_MISUSE, "malformed parameter list");

    if (conn->open_streams.load() != 0)
        return fail(result, CHFFI_BUSY, kStreamOpenMessage);
    InFlight in_flight(conn);
    std::lock_guard lock(conn->query_mutex);

    result->engine = run_query(*api, *conn->handle, sql, format, p);
    if (result->engine == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
    const char * error = describe(*api, result->engine, *info);
    if (error == nullptr)
        return CHFFI_OK;
    int32_t status = fail(result, CHFFI_ENGINE_ERROR, error);
    discard_partial_output(*api, *conn->handle);
    return status;
}

// chdb_classify_query_n's report (chdb_query_analysis_v1 in chdb.h).
struct QueryAnalysis {
    uint32_t struct_size;
    uint32_t statement_count;
    uint32_t flags;
    uint32_t query_class;
};
using ClassifyQuery = int (*)(EngineConnection *, const char *, size_t, const char *, size_t, QueryAnalysis *);

} // namespace

bool is_single_statement(const EngineApi & api, chffi_conn * conn, std::string_view sql, std::string & error) {
    (void)api;
    static const auto classify = reinterpret_cast<ClassifyQuery>(engine_symbol("chdb_classify_query_n"));
    if (classify == nullptr) {
        error = "this libchdb cannot classify statements (chdb_classify_query_n, chDB 26.7.2 or later)";
        return false;
    }
    QueryAnalysis analysis{sizeof(QueryAnalysis), 0, 0, 0};
    if (classify(*conn->handle, sql.data(), sql.size(), nullptr, 0, &analysis) != 0) {
        error = "chdb_classify_query_n failed";
        return false;
    }
    if (analysis.statement_count == 1)
        return true;
    error = analysis.statement_count == 0 ? "the query does not parse as a statement"
                                          : "the query holds several statements where one is expected";
    return false;
}

// A query that fails after it has written output (an exception mid-result, a KILL QUERY) leaves
// that output in libchdb's buffer for the connection, and the engine hands it out at the front of
// the connection's next result: `SELECT 8` after a killed `SELECT number FROM numbers(1e9)` gave
// megabytes of the killed query's rows, then `8` (found by tests/api_fuzz). One throwaway query
// takes it, so the next caller's result is its own (~0.1 ms, only after a failure).
void discard_partial_output(const EngineApi & api, EngineConnection * handle) {
    static constexpr std::string_view kFlush = "SELECT 1";
    static constexpr std::string_view kFormat = "TSV";
    if (EngineResult * flushed = api.query_n(handle, kFlush.data(), kFlush.size(), kFormat.data(), kFormat.size()))
        api.destroy_result(flushed);
}

const char * describe(const EngineApi & api, EngineResult * r, chffi_result_info & info) {
    info.data = reinterpret_cast<const uint8_t *>(api.result_buffer(r));
    info.data_len = api.result_length(r);
    info.elapsed_seconds = api.result_elapsed(r);
    info.rows_read = api.result_rows_read(r);
    info.bytes_read = api.result_bytes_read(r);
    info.storage_rows_read = api.result_storage_rows_read(r);
    info.storage_bytes_read = api.result_storage_bytes_read(r);
    info.rows_written = api.result_rows_written(r);
    info.bytes_written = api.result_bytes_written(r);
    const char * error = api.result_error(r);
    return error != nullptr && *error != '\0' ? error : nullptr;
}

int32_t fail(chffi_result * result, int32_t status, std::string message) noexcept {
    try {
        result->message = std::move(message);
    } catch (...) {
        result->message.clear(); // no memory for the message: the status still tells
    }
    return status;
}

} // namespace chffi

extern "C" {

int32_t chffi_connect(const char * path, size_t path_len, const uint8_t * options, size_t options_len, chffi_conn ** out_conn,
    chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if (out_conn == nullptr || (path == nullptr && path_len != 0) || (options == nullptr && options_len != 0))
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_connect: NULL argument");
        *out_conn = nullptr;
        return chffi::connect(std::string_view(path ? path : "", path_len), options, options_len, out_conn, out_error);
    });
}

int32_t chffi_close(chffi_conn * conn) {
    return chffi::guarded(nullptr, [&] {
        if (conn == nullptr)
            return static_cast<int32_t>(CHFFI_OK);
        chffi::Registry & reg = chffi::registry();
        std::lock_guard lock(reg.mutex);
        if (reg.shut_down)
            return static_cast<int32_t>(CHFFI_OK); // the process is exiting: the engine keeps it
        if (conn->in_flight.load() != 0)
            return static_cast<int32_t>(CHFFI_BUSY);
        chffi::close_locked(reg, conn);
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_query(chffi_conn * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
    const uint8_t * params, size_t params_len, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error) {
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        if ((sql == nullptr && sql_len != 0) || (format == nullptr && format_len != 0) || (params == nullptr && params_len != 0))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_query: NULL buffer with a non-zero length");
        return chffi::query(conn, std::string_view(sql ? sql : "", sql_len), std::string_view(format ? format : "", format_len),
            params, params_len, result, out_info);
    });
}

void chffi_result_free(chffi_result * result) {
    if (result == nullptr)
        return;
    if (result->engine != nullptr)
        if (const chffi::EngineApi * api = chffi::engine())
            api->destroy_result(result->engine);
    delete result;
}

uint32_t chffi_open_connections(void) {
    chffi::Registry & reg = chffi::registry();
    std::lock_guard lock(reg.mutex);
    return static_cast<uint32_t>(reg.open.size());
}

void chffi_stop_first_at_exit(void) {
    // Exit handlers run last-registered first: registered now, chffi_shutdown runs before every
    // handler libchdb registered lazily since (on first use of its statics), some of which tear the
    // engine down. chffi_shutdown is idempotent, so registering it again is harmless.
    std::atexit([] { chffi_shutdown(); });
}

int32_t chffi_release_path(void) {
    return chffi::guarded(nullptr, [&] {
        chffi::Registry & reg = chffi::registry();
        std::lock_guard lock(reg.mutex);
        if (!reg.open.empty())
            return static_cast<int32_t>(CHFFI_BUSY);
        if (const chffi::EngineApi * api = chffi::engine())
            chffi::close_keeper(*api, reg);
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_shutdown(void) {
    return chffi::guarded(nullptr, [&] {
        chffi::Registry & reg = chffi::registry();
        std::lock_guard lock(reg.mutex);
        if (reg.shut_down)
            return static_cast<int32_t>(CHFFI_OK);
        reg.shut_down = true;
        // Every engine call holds its connection's query_mutex: taking them all (and never giving
        // them back) waits for the calls running on other threads (an off-thread query at process
        // exit) and keeps any later one from starting, so the engine never stops under a query.
        // The chffi_conn structs stay allocated: a call dispatched before exit may still arrive and
        // must find its mutex (held) rather than freed memory.
        for (chffi_conn * conn : reg.open)
            conn->query_mutex.lock();
        // A connection an open stream (or a call waiting for its mutex) still holds stays open.
        for (chffi_conn * conn : std::vector<chffi_conn *>(reg.open.begin(), reg.open.end()))
            if (conn->in_flight.load() == 0) {
                reg.open.erase(conn);
                if (const chffi::EngineApi * api = chffi::engine())
                    api->close_conn(conn->handle);
            }
        const chffi::EngineApi * api = chffi::engine();
        if (api == nullptr)
            return static_cast<int32_t>(CHFFI_OK);
        chffi::close_keeper(*api, reg);
        return static_cast<int32_t>(api->shutdown() == 0 ? CHFFI_OK : CHFFI_ENGINE_ERROR);
    });
}

} // extern "C"
