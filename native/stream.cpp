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

struct chffi_stream {
    chffi_conn * conn;
    chffi::EngineResult * engine;
    bool ended = false; // the engine reported the end (or an error): nothing left to cancel
    // The engine's next result, fetched ahead of its turn (data, or the error that ended the
    // query); the next chffi_stream_next hands it out. has_ahead with ahead NULL: the fetch failed.
    chffi::EngineResult * ahead = nullptr;
    bool has_ahead = false;
};

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

// A first chunk smaller than this makes chffi_stream_open fetch the next one before handing it
// out, to report the end with it (chdb_ffi.h): a small result then costs one call. Only the first
// chunk waits so: later chunks come as soon as the engine has them, so that a slow query's output
// is never held back by more than its first block.
constexpr uint64_t kLookAheadBelow = 64 << 10;

// Fetches the engine's next result of s into r; false when there is none or it holds the query's
// error. A query that fails mid-stream (or in its format's prefix: Arrow, JSON, Parquet) leaves what
// it wrote for the connection's next result: it is discarded here (found by tests/api_fuzz).
bool fetch_next(chffi_stream & s, EngineResult *& r) {
    const EngineApi & e = *engine();
    std::lock_guard lock(s.conn->query_mutex);
    r = CHFFI_FAULT_OR(nullptr, e.stream_fetch_result(*s.conn->handle, s.engine));
    const char * error = r == nullptr ? nullptr : e.result_error(r);
    bool failed = r == nullptr || (error != nullptr && *error != '\0');
    if (failed && r != nullptr)
        discard_partial_output(e, *s.conn->handle);
    return !failed;
}

// Fetches the engine's next result into s.ahead; an empty one (the end) is freed and ends s.
void look_ahead(chffi_stream & s) {
    EngineResult * r = nullptr;
    bool failed = !fetch_next(s, r);
    if (!failed && engine()->result_length(r) == 0) {
        engine()->destroy_result(r);
        s.ended = true;
        return;
    }
    s.ahead = r;
    s.has_ahead = true;
    s.ended = failed; // a failed query has nothing left to cancel; its error comes next
}

// Hands out the stream's next chunk (the one fetched ahead, or a new one) as result and info;
// marks it CHFFI_RESULT_LAST_CHUNK when the stream has ended with it.
int32_t next_chunk(chffi_stream & s, chffi_result * result, chffi_result_info * info, bool first) {
    EngineResult * r = nullptr;
    if (s.has_ahead) {
        r = s.ahead;
        s.ahead = nullptr;
        s.has_ahead = false;
    } else if (s.ended) {
        info->flags = CHFFI_RESULT_LAST_CHUNK;
        return static_cast<int32_t>(CHFFI_OK); // past the end: empty, like the engine
    } else {
        fetch_next(s, r); // adopt() reports a failure
    }
    int32_t status = adopt(result, info, r);
    if (status != CHFFI_OK || info->data_len == 0) {
        s.ended = true;
    } else if (first && !s.ended && info->data_len < kLookAheadBelow) {
        look_ahead(s);
    }
    if (status == CHFFI_OK && s.ended && !s.has_ahead)
        info->flags = CHFFI_RESULT_LAST_CHUNK;
    return status;
}

} // namespace
} // namespace chffi

struct chffi_insert {
    chffi_conn * conn;
    chffi::EngineInsert * engine;
    bool finished = false; // done or cancelled
    bool committed = false; // done succeeded
};

extern "C" {

int32_t chffi_stream_open(chffi_conn * conn, const char * sql, size_t sql_len, const char * format, size_t format_len,
    const uint8_t * params, size_t params_len, chffi_stream ** out_stream, chffi_result ** out_result, chffi_result_info * out_info,
    chffi_error ** out_error) {
    if (out_stream != nullptr)
        *out_stream = nullptr;
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        const chffi::StreamApi * api = chffi::stream_api();
        if (out_stream == nullptr || conn == nullptr || chffi::bad_buffer(sql, sql_len) || chffi::bad_buffer(format, format_len)
            || chffi::bad_buffer(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_open: NULL argument");
        if (api == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "libchdb is not loaded or lacks the streaming API");
        chffi::Params p;
        if (!p.decode(params, params_len))
            return chffi::fail(result, CHFFI_MISUSE, "malformed parameter list");
        auto made = std::make_unique<chffi_stream>(chffi_stream{conn, nullptr});
        chffi::StreamHold hold(conn, false); // kept by the stream until chffi_stream_free
        {
            std::lock_guard lock(conn->query_mutex);
            made->engine = chffi::start_query_stream(*chffi::engine(), *conn->handle, std::string_view(sql ? sql : "", sql_len),
                std::string_view(format ? format : "", format_len), p);
        }
        if (made->engine == nullptr)
            return chffi::fail(result, CHFFI_ENGINE_ERROR, "the engine returned no stream");
        // From here chffi_stream_free gives back the engine's stream and the hold, on every path.
        hold.keep();
        std::unique_ptr<chffi_stream, void (*)(chffi_stream *)> stream(made.release(), chffi_stream_free);
        const char * error = chffi::engine()->result_error(stream->engine);
        if (error != nullptr && *error != '\0') {
            stream->ended = true; // the query never ran: nothing to cancel
            return chffi::fail(result, CHFFI_ENGINE_ERROR, error);
        }
        int32_t status = chffi::next_chunk(*stream, result, out_info, true);
        if (status == CHFFI_OK && (out_info->flags & CHFFI_RESULT_LAST_CHUNK) == 0)
            *out_stream = stream.release();
        return status;
    });
}

int32_t chffi_stream_next(chffi_stream * stream, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error) {
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        if (stream == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_next: NULL stream");
        return chffi::next_chunk(*stream, result, out_info, false);
    });
}

void chffi_stream_cancel(chffi_stream * stream) {
    chffi::guarded(nullptr, [&] {
        if (stream == nullptr)
            return static_cast<int32_t>(CHFFI_OK);
        if (stream->has_ahead) { // a chunk (or error) fetched ahead is never handed out now
            if (stream->ahead != nullptr)
                chffi::engine()->destroy_result(stream->ahead);
            stream->ahead = nullptr;
            stream->has_ahead = false;
        }
        if (stream->ended)
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
        int32_t status = chffi::adopt(result, out_info, api->done(insert->engine));
        insert->committed = status == CHFFI_OK;
        return status;
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
        // An INSERT that failed or was cancelled stays listed in system.processes as running
        // (is_cancelled 0) until the connection runs its next query: one throwaway query ends it
        // (found by tests/api_fuzz: a pooled client connection showed a phantom INSERT).
        if (!insert->committed)
            chffi::discard_partial_output(*chffi::engine(), *insert->conn->handle);
        return static_cast<int32_t>(CHFFI_OK);
    });
    insert->conn->in_flight.fetch_sub(1);
    delete insert;
}

} // extern "C"
