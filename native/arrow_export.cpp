// Arrow results: the shim's own batches from Native (arrow_query_native.cpp, native_arrow.cpp)
// or the engine's export (chdb_query_arrow_n / chdb_stream_*_arrow) gathered into a chffi_arrow
// that owns their buffers, described to TypeScript as a flat word layout so that TS can wrap
// every buffer as a zero-copy view.
//
// Layout (uint64 words):
//   schema node  = format*, name*, metadata*, metadata_len, flags, n_children, has_dictionary,
//                  then the children's nodes, then the dictionary's node
//   n_batches
//   array node   = length, null_count, offset, n_buffers, buffer*..., n_children, has_dictionary,
//                  then the children's nodes, then the dictionary's node (one per batch)
#include "arrow_export.h"

#include "arrow_query_native.h"
#include "native_arrow.h"

#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"
#include "string_list.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <strings.h>

chffi_arrow::~chffi_arrow() {
    for (ArrowArray & a : batches)
        if (a.release != nullptr)
            a.release(&a);
    if (schema.release != nullptr)
        schema.release(&schema);
    for (auto & s : streams)
        if (s->release != nullptr)
            s->release(s.get());
}

struct chffi_arrow_stream {
    chffi_conn * conn = nullptr;
    chffi::EngineResult * engine = nullptr;
    bool done = false;
    bool fetched = false; // a batch was asked for (see chffi_stream_arrow_free)
    // Set when the engine streams Native and the shim builds each batch (see open_stream).
    std::unique_ptr<chffi::NativeArrowDecoder> native;
    std::vector<std::pair<std::string, std::string>> columns; // the result's, for the closing schema
    // The query ran to its end (or failed): the connection may run other queries again.
    void finish() {
        if (!done)
            conn->open_streams.fetch_sub(1);
        done = true;
    }
};

namespace chffi {
namespace {

constexpr int kMaxDepth = 64;

uint64_t word(const void * p) {
    return reinterpret_cast<uintptr_t>(p);
}

// Byte length of the C Data Interface's binary metadata encoding.
uint64_t metadata_length(const char * metadata) {
    if (metadata == nullptr)
        return 0;
    int32_t n;
    std::memcpy(&n, metadata, 4);
    size_t pos = 4;
    for (int32_t i = 0; i < 2 * n; ++i) {
        int32_t len;
        std::memcpy(&len, metadata + pos, 4);
        pos += 4 + static_cast<size_t>(len);
    }
    return pos;
}

void flatten_schema(const ArrowSchema & s, std::vector<uint64_t> & out, int depth) {
    if (depth > kMaxDepth)
        throw std::runtime_error("Arrow schema nested too deeply");
    out.insert(out.end(), {word(s.format), word(s.name), word(s.metadata), metadata_length(s.metadata), static_cast<uint64_t>(s.flags),
        static_cast<uint64_t>(s.n_children), s.dictionary != nullptr ? 1u : 0u});
    for (int64_t i = 0; i < s.n_children; ++i)
        flatten_schema(*s.children[i], out, depth + 1);
    if (s.dictionary != nullptr)
        flatten_schema(*s.dictionary, out, depth + 1);
}

void flatten_array(const ArrowArray & a, std::vector<uint64_t> & out, int depth) {
    if (depth > kMaxDepth)
        throw std::runtime_error("Arrow array nested too deeply");
    out.insert(out.end(), {static_cast<uint64_t>(a.length), static_cast<uint64_t>(a.null_count), static_cast<uint64_t>(a.offset),
        static_cast<uint64_t>(a.n_buffers)});
    for (int64_t i = 0; i < a.n_buffers; ++i)
        out.push_back(word(a.buffers[i]));
    out.push_back(static_cast<uint64_t>(a.n_children));
    out.push_back(a.dictionary != nullptr ? 1u : 0u);
    for (int64_t i = 0; i < a.n_children; ++i)
        flatten_array(*a.children[i], out, depth + 1);
    if (a.dictionary != nullptr)
        flatten_array(*a.dictionary, out, depth + 1);
}

std::string last_error(ArrowArrayStream * stream, int code) {
    const char * message = stream->get_last_error ? stream->get_last_error(stream) : nullptr;
    return message ? std::string(message) : "Arrow stream error " + std::to_string(code);
}

bool has_arrow_api(const EngineApi & api) {
    return api.query_arrow_n && api.stream_query_n && api.stream_query_with_params_n && api.stream_fetch_result && api.stream_query_arrow_n && api.stream_query_arrow_with_params_n && api.stream_fetch_arrow
        && api.stream_cancel_query;
}

// The engine call that starts a streaming Arrow query, with or without bound parameters.
EngineResult * start_stream(const EngineApi & api, EngineConnection * handle, std::string_view sql, const EngineArrowOptions & options,
    const Params & params) {
    if (fault::hit()) return nullptr;
    if (params.size() == 0)
        return api.stream_query_arrow_n(handle, sql.data(), sql.size(), &options);
    return api.stream_query_arrow_with_params_n(handle, sql.data(), sql.size(), &options, params.names.data(), params.name_lens.data(),
        params.values.data(), params.value_lens.data(), params.size());
}

// Fetches the next batch of a streaming query into out. Returns false on an engine error.
// Sets *end when the query has no more batches. The caller holds the connection's query mutex.
bool fetch(const EngineApi & api, chffi_conn * conn, EngineResult * stream, chffi_arrow & out, bool * end, std::string & error) {
    auto batch = std::make_unique<ArrowArrayStream>();
    std::memset(batch.get(), 0, sizeof(ArrowArrayStream));
    if (CHFFI_FAULT_OR(-1, api.stream_fetch_arrow(*conn->handle, stream, batch.get())) != 0) {
        const char * message = api.result_error(stream);
        error = message && *message ? message : "chdb_stream_fetch_arrow failed";
        if (batch->release != nullptr)
            batch->release(batch.get());
        return false;
    }
    ArrowArrayStream * raw = batch.get();
    out.streams.push_back(std::move(batch));
    size_t before = out.batches.size();
    if (!drain(raw, out, error))
        return false;
    *end = out.batches.size() == before;
    return true;
}

int32_t begin(chffi_conn * conn, const uint8_t * params, size_t params_len, chffi_result * result,
    Params & bound, const EngineApi *& api) {
    api = engine();
    if (api == nullptr)
        return fail(result, CHFFI_MISUSE, "libchdb is not loaded");
    if (!has_arrow_api(*api))
        return fail(result, CHFFI_MISUSE, "this libchdb has no Arrow C Data Interface (chdb_query_arrow_n): upgrade chDB");
    if (conn == nullptr)
        return fail(result, CHFFI_MISUSE, "query on a NULL connection");
    if (!bound.decode(params, params_len))
        return fail(result, CHFFI_MISUSE, "malformed parameter list");
    if (conn->open_streams.load() != 0)
        return fail(result, CHFFI_BUSY, kStreamOpenMessage);
    return CHFFI_OK;
}

// Describes the engine result; an empty error message from a failed engine call still fails.
int32_t finish(const EngineApi & api, chffi_result * result, chffi_result_info * info) {
    if (result->engine == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
    const char * error = describe(api, result->engine, *info);
    return error != nullptr ? fail(result, CHFFI_ENGINE_ERROR, error) : CHFFI_OK;
}

// Whether sql may carry its own FORMAT clause, which the engine's streaming API would obey (the
// Native path then gets another format) while its Arrow export overrides it. A false positive
// (a column or string named format) only costs the faster path.
bool may_have_format_clause(std::string_view sql) {
    for (size_t at = 0; at + 7 <= sql.size(); ++at) {
        bool word_start = at == 0 || std::isspace(static_cast<unsigned char>(sql[at - 1])) || sql[at - 1] == ')';
        if (!word_start || strncasecmp(sql.data() + at, "format", 6) != 0 || !std::isspace(static_cast<unsigned char>(sql[at + 6])))
            continue;
        return true;
    }
    return false;
}

// Starts stream's query: Native decoded by the shim when DESCRIBE says the shim builds every
// column (the DESCRIBE only analyses; a stream is for large results, where it costs nothing next
// to the ~2x of the Native path), else the engine's streaming Arrow export.
void open_stream(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & bound, const EngineArrowOptions & options,
    chffi_arrow_stream & stream) {
    std::string error;
    bool native = !may_have_format_clause(sql) && describe_columns(api, conn, sql, bound, stream.columns, error)
        && std::all_of(stream.columns.begin(), stream.columns.end(), [](const auto & c) { return native_decodable(c.second); });
    if (!native) {
        stream.engine = start_stream(api, *conn->handle, sql, options, bound);
        return;
    }
    stream.native = std::make_unique<NativeArrowDecoder>(options.string_as_string == 0, false);
    stream.engine = start_query_stream(api, *conn->handle, sql, "Native", bound);
}

// fetch() for a stream the shim decodes: the next chunk as a batch; at the end a batch-less
// result with the schema (from the DESCRIBE: an empty result sends no Native block).
bool fetch_native(const EngineApi & api, chffi_arrow_stream & stream, chffi_arrow & out, bool * end, std::string & error) {
    OwnedResult chunk(CHFFI_FAULT_OR(nullptr, api.stream_fetch_result(*stream.conn->handle, stream.engine)), DestroyResult{&api});
    error = error_of(api, chunk.get());
    if (!error.empty())
        return false;
    size_t size = api.result_length(chunk.get());
    const uint8_t * data = reinterpret_cast<const uint8_t *>(api.result_buffer(chunk.get()));
    std::string header;
    *end = size == 0;
    if (*end) {
        header = native_header(stream.columns);
        data = reinterpret_cast<const uint8_t *>(header.data());
        size = header.size();
    }
    if (!stream.native->decode(data, size, out)) {
        error = "the result has a column type its DESCRIBE did not announce";
        return false;
    }
    return true;
}

// The engine's own Arrow export of the whole result: chdb_query_arrow_n (with the query's
// metrics), or the streaming Arrow API run to its end when there are parameters (which
// chdb_query_arrow_n does not bind).
int32_t export_by_engine(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & bound, const EngineArrowOptions & options,
    chffi_arrow & arrow, chffi_result * result, chffi_result_info * info) {
    std::string error;
    if (bound.size() == 0) {
        auto stream = std::make_unique<ArrowArrayStream>();
        std::memset(stream.get(), 0, sizeof(ArrowArrayStream));
        result->engine = CHFFI_FAULT_OR(nullptr, api.query_arrow_n(*conn->handle, sql.data(), sql.size(), stream.get(), &options));
        ArrowArrayStream * raw = stream.get();
        arrow.streams.push_back(std::move(stream));
        if (int32_t status = finish(api, result, info); status != CHFFI_OK)
            return status;
        if (raw->release == nullptr)
            return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no Arrow stream");
        if (!drain(raw, arrow, error))
            return fail(result, CHFFI_ENGINE_ERROR, error);
        return CHFFI_OK;
    }
    result->engine = start_stream(api, *conn->handle, sql, options, bound);
    if (int32_t status = finish(api, result, info); status != CHFFI_OK)
        return status;
    for (bool end = false; !end;) {
        if (!fetch(api, conn, result->engine, arrow, &end, error))
            return fail(result, CHFFI_ENGINE_ERROR, error);
    }
    return CHFFI_OK;
}

int32_t query_arrow(chffi_conn * conn, std::string_view sql, const uint8_t * params, size_t params_len, uint32_t flags, chffi_arrow ** out,
    chffi_result * result, chffi_result_info * info) {
    Params bound;
    const EngineApi * api = nullptr;
    if (int32_t status = begin(conn, params, params_len, result, bound, api); status != CHFFI_OK)
        return status;
    auto arrow = std::make_unique<chffi_arrow>();

    InFlight in_flight(conn);
    std::lock_guard lock(conn->query_mutex);
    // Default (and always with parameters): the engine streams Native and the shim builds the
    // batches. No metrics: the streaming API reports none. The engine's export when asked for,
    // and for what the streaming API refuses (statements other than queries, several statements
    // in one call) or would format otherwise.
    bool for_rows = (flags & CHFFI_ARROW_FOR_ROWS) != 0;
    bool native = ((flags & (CHFFI_ARROW_STREAMED | CHFFI_ARROW_FOR_ROWS)) != 0 || bound.size() != 0) && !may_have_format_clause(sql);
    int32_t status = native ? query_arrow_native(*api, conn, sql, bound, flags, *arrow, result, info) : kNotStreamable;
    if (status == kNotStreamable)
        status = for_rows ? run_into_result(*api, conn, sql, bound, kRowsFormat, result, info)
                          : export_by_engine(*api, conn, sql, bound, options_from(flags), *arrow, result, info);
    if (status != CHFFI_OK)
        return status;
    if (for_rows && arrow->schema.release == nullptr)
        return CHFFI_OK; // the rows are in the result's data (*out stays NULL)
    if (arrow->schema.release == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned an Arrow stream without a schema");
    flatten(*arrow);
    *out = arrow.release();
    return CHFFI_OK;
}

} // namespace

EngineArrowOptions options_from(uint32_t flags) {
    return EngineArrowOptions{
        (flags & CHFFI_ARROW_UNSUPPORTED_AS_BINARY) ? 1 : 0,
        (flags & CHFFI_ARROW_LOW_CARDINALITY_AS_DICTIONARY) ? 1 : 0,
        (flags & CHFFI_ARROW_STRING_AS_BINARY) ? 0 : 1,
    };
}

bool drain(ArrowArrayStream * stream, chffi_arrow & out, std::string & error) {
    if (out.schema.release == nullptr) {
        if (int rc = stream->get_schema(stream, &out.schema); rc != 0) {
            error = last_error(stream, rc);
            return false;
        }
    }
    for (;;) {
        ArrowArray array{};
        if (int rc = stream->get_next(stream, &array); rc != 0) {
            error = last_error(stream, rc);
            return false;
        }
        if (array.release == nullptr)
            return true;
        out.batches.push_back(array);
    }
}

void flatten(chffi_arrow & out) {
    out.layout.clear();
    flatten_schema(out.schema, out.layout, 0);
    out.layout.push_back(out.batches.size());
    for (const ArrowArray & a : out.batches)
        flatten_array(a, out.layout, 0);
}

} // namespace chffi

extern "C" {

int32_t chffi_query_arrow(chffi_conn * conn, const char * sql, size_t sql_len, const uint8_t * params, size_t params_len, uint32_t flags,
    chffi_arrow ** out_arrow, chffi_result ** out_result, chffi_result_info * out_info, chffi_error ** out_error) {
    return chffi::with_result(out_result, out_info, out_error, [&](chffi_result * result) {
        if (out_arrow == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "chffi_query_arrow: NULL out_arrow");
        *out_arrow = nullptr;
        if ((sql == nullptr && sql_len != 0) || (params == nullptr && params_len != 0))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_query_arrow: NULL buffer with a non-zero length");
        return chffi::query_arrow(conn, std::string_view(sql ? sql : "", sql_len), params, params_len, flags, out_arrow, result, out_info);
    });
}

const uint64_t * chffi_arrow_layout(const chffi_arrow * arrow, uint64_t * out_words) {
    if (arrow == nullptr) {
        if (out_words != nullptr)
            *out_words = 0;
        return nullptr;
    }
    if (out_words != nullptr)
        *out_words = arrow->layout.size();
    return arrow->layout.data();
}

void chffi_arrow_free(chffi_arrow * arrow) {
    delete arrow;
}

uint32_t chffi_arrow_viewable(const chffi_arrow * arrow) {
    return arrow != nullptr && arrow->arena != nullptr ? 1 : 0;
}

void chffi_arrow_free_quarantined(chffi_arrow * arrow) {
    if (arrow == nullptr)
        return;
    if (arrow->arena != nullptr)
        arrow->arena->quarantine();
    delete arrow;
}

int32_t chffi_stream_arrow_open(chffi_conn * conn, const char * sql, size_t sql_len, const uint8_t * params, size_t params_len,
    uint32_t flags, chffi_arrow_stream ** out_stream, chffi_error ** out_error) {
    return chffi::status_only(out_error, [&](chffi_result * result, chffi_result_info * out_info) {
        if (out_stream == nullptr)
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_arrow_open: NULL out_stream");
        *out_stream = nullptr;
        if ((sql == nullptr && sql_len != 0) || (params == nullptr && params_len != 0))
            return chffi::fail(result, CHFFI_MISUSE, "chffi_stream_arrow_open: NULL buffer with a non-zero length");
        chffi::Params bound;
        const chffi::EngineApi * api = nullptr;
        if (int32_t status = chffi::begin(conn, params, params_len, result, bound, api); status != CHFFI_OK)
            return status;
        auto stream = std::make_unique<chffi_arrow_stream>();
        stream->conn = conn;
        chffi::EngineArrowOptions options = chffi::options_from(flags);
        // Held until the stream ends: the connection cannot close, nor run another query, under it.
        // Given back on every way out that opens no stream, exceptions included.
        chffi::StreamHold hold(conn, true);
        {
            std::lock_guard lock(conn->query_mutex);
            chffi::open_stream(*api, conn, std::string_view(sql ? sql : "", sql_len), bound, options, *stream);
        }
        if (stream->engine == nullptr)
            return chffi::fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
        // From here the engine result is owned by the caller's result or by the stream.
        result->engine = stream->engine;
        if (const char * error = chffi::describe(*api, stream->engine, *out_info))
            return chffi::fail(result, CHFFI_ENGINE_ERROR, error);
        result->engine = nullptr;
        hold.keep();
        *out_stream = stream.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_stream_arrow_next(chffi_arrow_stream * stream, chffi_arrow ** out_batch, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if (stream == nullptr || out_batch == nullptr)
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_stream_arrow_next: NULL argument");
        *out_batch = nullptr;
        const chffi::EngineApi * api = chffi::engine();
        if (api == nullptr)
            return chffi::report(out_error, CHFFI_MISUSE, "libchdb is not loaded");
        if (stream->done)
            return static_cast<int32_t>(CHFFI_OK);
        auto batch = std::make_unique<chffi_arrow>();
        std::string error;
        bool end = false;
        bool ok;
        {
            std::lock_guard lock(stream->conn->query_mutex);
            stream->fetched = true;
            ok = stream->native ? chffi::fetch_native(*api, *stream, *batch, &end, error)
                                : chffi::fetch(*api, stream->conn, stream->engine, *batch, &end, error);
        }
        if (!ok) {
            stream->finish();
            return chffi::report(out_error, CHFFI_ENGINE_ERROR, error);
        }
        if (end) {
            stream->finish();
            // The last fetch carries the schema and no batch: handed over so that an empty result
            // still has a schema; the next call returns NULL.
            if (batch->schema.release == nullptr)
                return static_cast<int32_t>(CHFFI_OK);
        }
        chffi::flatten(*batch);
        *out_batch = batch.release();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

void chffi_stream_arrow_free(chffi_arrow_stream * stream) {
    if (stream == nullptr)
        return;
    try {
        if (const chffi::EngineApi * api = chffi::engine()) {
            std::lock_guard lock(stream->conn->query_mutex);
            if (!stream->done && !stream->fetched) {
                // libchdb's cancel of a streaming query nothing was fetched from yet runs the
                // whole query first (`streamArrow(1e9 rows).close()` unread blocked 31 s; found
                // by tests/api_fuzz). One fetch starts it; the cancel then stops it at once.
                chffi_arrow first;
                std::string error;
                bool end = false;
                bool ok = stream->native ? chffi::fetch_native(*api, *stream, first, &end, error)
                                         : chffi::fetch(*api, stream->conn, stream->engine, first, &end, error);
                if (!ok)
                    chffi::discard_partial_output(*api, *stream->conn->handle);
                if (!ok || end)
                    stream->finish(); // ended: nothing left to cancel
            }
            if (!stream->done)
                api->stream_cancel_query(*stream->conn->handle, stream->engine);
            api->destroy_result(stream->engine);
        }
    } catch (...) {
        // nothing can be reported from a free function; the handle is released regardless
    }
    stream->finish();
    stream->conn->in_flight.fetch_sub(1);
    delete stream;
}

} // extern "C"
