// Streaming queries (output in chunks, cancellable between chunks) and streaming INSERT.
#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"
#include "string_list.h"

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chffi {
namespace {

struct EngineInsert; // chdb_insert_stream's pointee

// The streaming INSERT part of libchdb's C API, resolved on first use (the streaming query
// functions are in EngineApi).
struct StreamApi {
    EngineInsert * (*insert_n)(EngineConnection *, const char *, size_t, const char *, size_t);
    EngineInsert * (*insert_with_params_n)(EngineConnection *, const char *, size_t, const char *, size_t,
        const char * const *, const size_t *, const char * const *, const size_t *, size_t);
    int (*append)(EngineInsert *, const void *, size_t);
    EngineResult * (*done)(EngineInsert *);
    void (*cancel_insert)(EngineInsert *);
    const char * (*insert_error)(EngineInsert *);
    void (*destroy_insert)(EngineInsert *);
};

template <typename Fn>
bool resolve(const char * name, Fn & slot) {
    slot = reinterpret_cast<Fn>(engine_symbol(name));
    return slot != nullptr;
}

const StreamApi * stream_api() {
    static std::once_flag once;
    static StreamApi api;
    static bool complete = false;
    if (engine() == nullptr)
        return nullptr;
    std::call_once(once, [] {
        const EngineApi & e = *engine();
        complete = e.stream_query_n && e.stream_query_with_params_n && e.stream_fetch_result && e.stream_cancel_query
            && resolve("chdb_stream_insert_n", api.insert_n) && resolve("chdb_stream_insert_with_params_n", api.insert_with_params_n)
            && resolve("chdb_stream_append", api.append) && resolve("chdb_stream_done", api.done)
            && resolve("chdb_stream_cancel_insert", api.cancel_insert) && resolve("chdb_stream_insert_error", api.insert_error)
            && resolve("chdb_destroy_insert_stream", api.destroy_insert);
    });
    return complete ? &api : nullptr;
}

// Name/value arrays in the shape of the engine's *_with_params_n functions.
// Keeps the engine result as this call's output: data and metrics, or its error.
int32_t adopt(chffi_result * result, chffi_result_info * info, EngineResult * r) {
    if (r == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
    result->engine = r;
    const char * error = describe(*engine(), r, *info);
    return error != nullptr ? fail(result, CHFFI_ENGINE_ERROR, error) : CHFFI_OK;
}

bool bad_buffer(const void * p, size_t len) {
    return p == nullptr && len != 0;
}

} // namespace
} // namespace chffi

struct chffi_stream {
    chffi_conn * conn;
    chffi::EngineResult * engine;
    bool ended = false; // the engine reported the end (or an error): nothing left to cancel
};

struct chffi_insert {
    chffi_conn * conn;
    chffi::EngineInsert * engine;
    bool finished = false; // done or cancelled
};

extern "C" {

int32_t chffi_stream_open(chffi_conn * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
    const uint8_t * params, size_t params_len, chffi_stream ** out_stream, chffi_error ** out_error) {
    return chffi::status_only(out_error, [&](chffi_result * result, chffi_result_info *) {
        const chffi::StreamApi * api = chffi::stream_api();
        if (out_stream == nullptr || conn == nullptr || chffi::bad_buffer(sql, sql_len) || chffi::bad_buffer(format, format_len)
            || chffi::bad_buffer(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_open: NULL argument");
        *out_stream = nullptr;
        if (api == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "libchdb is not loaded or lacks the streaming API");
        chffi::Params p;
        if (!p.decode(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "malformed parameter list");
        auto stream = std::make_unique<chffi_stream>(chffi_stream{conn, nullptr});
        chffi::StreamHold hold(conn, false); // kept by the stream until chffi_stream_free
        {
            std::lock_guard lock(conn->query_mutex);
            stream->engine = chffi::start_query_stream(*chffi::engine(), *conn->handle, std::string_view(sql ? sql : "", sql_len),
                std::string_view(format ? format : "", format_len), p);
        }
        if (stream->engine == nullptr)
            return chffi::fail(result, CHFFI_ENGINE_ERROR, "the engine returned no stream");
        // The caller's result owns the engine result until the stream takes it.
        result->engine = stream->engine;
        const char * error = chffi::engine()->result_error(stream->engine);
        if (error != nullptr && *error != '\0')
            return chffi::fail(result, CHFFI_ENGINE_ERROR, error);
        result->engine = nullptr;
        hold.keep();
        *out_stream = stream.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_stream_next(chffi_stream * stream, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error) {
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        if (stream == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_next: NULL stream");
        if (stream->ended)
            return static_cast<int32_t>(CHFFI_OK); // past the end: empty, like the engine
        std::lock_guard lock(stream->conn->query_mutex);
        int32_t status = chffi::adopt(result, out_info, CHFFI_FAULT_OR(nullptr, chffi::engine()->stream_fetch_result(*stream->conn->handle, stream->engine)));
        if (status != CHFFI_OK || out_info->data_len == 0)
            stream->ended = true;
        return status;
    });
}

void chffi_stream_cancel(chffi_stream * stream) {
    chffi::guarded(nullptr, [&] {
        if (stream == nullptr || stream->ended)
            return static_cast<int32_t>(CHFFI_OK);
        std::lock_guard lock(stream->conn->query_mutex);
        chffi::engine()->stream_cancel_query(*stream->conn->handle, stream->engine);
        stream->ended = true;
        return static_cast<int32_t>(CHFFI_OK);
    });
}

void chffi_stream_free(chffi_stream * stream) {
    if (stream == nullptr)
        return;
    chffi_stream_cancel(stream);
    chffi::guarded(nullptr, [&] {
        std::lock_guard lock(stream->conn->query_mutex);
        chffi::engine()->destroy_result(stream->engine);
        return static_cast<int32_t>(CHFFI_OK);
    });
    stream->conn->in_flight.fetch_sub(1);
    delete stream;
}

int32_t chffi_insert_open(chffi_conn * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
    const uint8_t * params, size_t params_len, chffi_insert ** out_insert, chffi_error ** out_error) {
    return chffi::status_only(out_error, [&](chffi_result * result, chffi_result_info *) {
        const chffi::StreamApi * api = chffi::stream_api();
        if (out_insert == nullptr || conn == nullptr || chffi::bad_buffer(sql, sql_len) || chffi::bad_buffer(format, format_len)
            || chffi::bad_buffer(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_insert_open: NULL argument");
        *out_insert = nullptr;
        if (api == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "libchdb is not loaded or lacks the streaming API");
        chffi::Params p;
        if (!p.decode(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "malformed parameter list");
        chffi::EngineInsert * ins;
        {
            std::lock_guard lock(conn->query_mutex);
            chffi::EngineConnection * handle = *conn->handle;
            ins = chffi::fault::hit() ? nullptr : p.size() == 0 ? api->insert_n(handle, sql ? sql : "", sql_len, format ? format : "", format_len)
                                : api->insert_with_params_n(handle, sql ? sql : "", sql_len, format ? format : "", format_len,
                                    p.names.data(), p.name_lens.data(), p.values.data(), p.value_lens.data(), p.size());
        }
        if (ins == nullptr)
            return chffi::fail(result, CHFFI_ENGINE_ERROR, "the engine returned no insert stream");
        // Owned here until the chffi_insert takes it, so that no exception leaks it.
        std::unique_ptr<chffi::EngineInsert, void (*)(chffi::EngineInsert *)> owned(ins, api->destroy_insert);
        if (const char * error = api->insert_error(ins); error != nullptr && *error != '\0')
            return chffi::fail(result, CHFFI_ENGINE_ERROR, error);
        auto insert = std::make_unique<chffi_insert>(chffi_insert{conn, ins});
        chffi::StreamHold hold(conn, false); // kept by the insert until chffi_insert_free
        hold.keep();
        owned.release();
        *out_insert = insert.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_insert_append(chffi_insert * insert, const uint8_t * data, size_t data_len, chffi_error ** out_error) {
    return chffi::status_only(out_error, [&](chffi_result * result, chffi_result_info *) {
        if (insert == nullptr || chffi::bad_buffer(data, data_len))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_insert_append: NULL argument");
        if (insert->finished)
            return chffi::fail(result, CHFFI_MISUSE, "the insert stream is already finished");
        const chffi::StreamApi * api = chffi::stream_api();
        std::lock_guard lock(insert->conn->query_mutex);
        if (CHFFI_FAULT_OR(-1, api->append(insert->engine, data ? data : reinterpret_cast<const uint8_t *>(""), data_len)) == 0)
            return static_cast<int32_t>(CHFFI_OK);
        const char * error = api->insert_error(insert->engine);
        return chffi::fail(result, CHFFI_ENGINE_ERROR, error && *error ? error : "the engine refused the data");
    });
}

int32_t chffi_insert_done(chffi_insert * insert, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error) {
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        if (insert == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "chffi_insert_done: NULL insert stream");
        if (insert->finished)
            return chffi::fail(result, CHFFI_MISUSE, "the insert stream is already finished");
        const chffi::StreamApi * api = chffi::stream_api();
        std::lock_guard lock(insert->conn->query_mutex);
        insert->finished = true;
        return chffi::adopt(result, out_info, api->done(insert->engine));
    });
}

void chffi_insert_cancel(chffi_insert * insert) {
    chffi::guarded(nullptr, [&] {
        if (insert == nullptr || insert->finished)
            return static_cast<int32_t>(CHFFI_OK);
        std::lock_guard lock(insert->conn->query_mutex);
        chffi::stream_api()->cancel_insert(insert->engine);
        insert->finished = true;
        return static_cast<int32_t>(CHFFI_OK);
    });
}

void chffi_insert_free(chffi_insert * insert) {
    if (insert == nullptr)
        return;
    chffi_insert_cancel(insert);
    chffi::guarded(nullptr, [&] {
        std::lock_guard lock(insert->conn->query_mutex);
        chffi::stream_api()->destroy_insert(insert->engine);
        return static_cast<int32_t>(CHFFI_OK);
    });
    insert->conn->in_flight.fetch_sub(1);
    delete insert;
}

} // extern "C"
