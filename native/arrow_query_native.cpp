// chffi_query_arrow's streamed path: the engine streams the result in its Native format and the
// shim builds the Arrow batches (native_arrow.h) while the engine produces the next block.
// A result with a column type the decoder does not build is kept, Native as it came, in an
// anonymous in-memory file that the engine then reads back and converts itself: the query runs
// once either way. An empty result has no Native block to name its columns; DESCRIBE does.
#include "arrow_query_native.h"

#include "native_arrow.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace chffi {
namespace {

// An anonymous in-memory file (memfd) that the engine opens by its /proc/self/fd path.
class SpillFile {
public:
    SpillFile() = default;
    SpillFile(const SpillFile &) = delete;
    SpillFile & operator=(const SpillFile &) = delete;
    ~SpillFile() {
        if (fd >= 0)
            close(fd);
    }

    bool active() const { return fd >= 0; }

    void write(const uint8_t * data, size_t n) {
        if (fd < 0)
            open();
        while (n > 0) {
            ssize_t written = ::write(fd, data, n);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                throw std::runtime_error(std::string("cannot keep the result in a memory file: ") + std::strerror(errno));
            data += written;
            n -= static_cast<size_t>(written);
        }
    }

    std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }

private:
    void open() {
        // The syscall itself: glibc has had a memfd_create wrapper only since 2.27.
        constexpr unsigned kCloseOnExec = 1; // MFD_CLOEXEC
        fd = static_cast<int>(syscall(SYS_memfd_create, "chdb-ffi-result", kCloseOnExec));
        if (fd < 0)
            throw std::runtime_error(std::string("cannot create a memory file for the result: ") + std::strerror(errno));
    }

    int fd = -1;
};

// Where the chunks of Native output go: the decoder while it can build every column, else the
// spill file (from the first chunk on, so the file holds the whole result).
void consume(const uint8_t * data, size_t size, NativeArrowDecoder & decoder, SpillFile & spill, chffi_arrow & out) {
    if (spill.active() || !decoder.decode(data, size, out))
        spill.write(data, size);
}

// Consumes chunks on a thread of its own, so that decoding one block overlaps the engine
// producing the next (the engine is only ever called from the fetching thread). At most
// kQueued chunks wait, which bounds the memory held.
class ChunkConsumer {
public:
    ChunkConsumer(NativeArrowDecoder & d, SpillFile & s, chffi_arrow & o) : decoder(d), spill(s), out(o) {}
    ChunkConsumer(const ChunkConsumer &) = delete;
    ChunkConsumer & operator=(const ChunkConsumer &) = delete;
    ~ChunkConsumer() {
        if (worker.joinable()) {
            close();
            worker.join();
        }
    }

    // Whether no chunk was ever handed over.
    bool idle() const { return !worker.joinable(); }

    // Hands a chunk over; false when consuming failed (finish() then throws why).
    bool push(OwnedResult chunk) {
        if (!worker.joinable())
            worker = std::thread([this] { run(); });
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return queue.size() < kQueued || error != nullptr; });
        if (error != nullptr)
            return false;
        queue.push_back(std::move(chunk));
        changed.notify_all();
        return true;
    }

    // Waits until every chunk handed over is consumed; rethrows a failure.
    void finish() {
        if (worker.joinable()) {
            close();
            worker.join();
        }
        if (error != nullptr)
            std::rethrow_exception(error);
    }

private:
    static constexpr size_t kQueued = 4;

    void close() {
        std::lock_guard lock(mutex);
        closed = true;
        changed.notify_all();
    }

    void run() {
        for (;;) {
            OwnedResult chunk(nullptr, DestroyResult{nullptr});
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return !queue.empty() || closed; });
                if (queue.empty())
                    return;
                chunk = std::move(queue.front());
                queue.pop_front();
                changed.notify_all();
                if (error != nullptr)
                    continue; // drained unread after a failure
            }
            try {
                const EngineApi & api = *chunk.get_deleter().api;
                consume(reinterpret_cast<const uint8_t *>(api.result_buffer(chunk.get())), api.result_length(chunk.get()), decoder, spill, out);
            } catch (...) {
                std::lock_guard lock(mutex);
                error = std::current_exception();
                changed.notify_all();
            }
        }
    }

    NativeArrowDecoder & decoder;
    SpillFile & spill;
    chffi_arrow & out;
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<OwnedResult> queue;
    bool closed = false;
    std::exception_ptr error;
    std::thread worker;
};

// Converts the result of sql (reading the spill file) to Arrow with the engine's own export.
bool convert_by_engine(const EngineApi & api, chffi_conn * conn, const std::string & sql, const EngineArrowOptions & options,
    chffi_arrow & out, std::string & error) {
    auto stream = std::make_unique<ArrowArrayStream>();
    std::memset(stream.get(), 0, sizeof(ArrowArrayStream));
    OwnedResult r(api.query_arrow_n(*conn->handle, sql.data(), sql.size(), stream.get(), &options), DestroyResult{&api});
    ArrowArrayStream * raw = stream.get();
    out.streams.push_back(std::move(stream));
    error = error_of(api, r.get());
    if (!error.empty())
        return false;
    if (raw->release == nullptr) {
        error = "the engine returned no Arrow stream";
        return false;
    }
    return drain(raw, out, error);
}

// Whether the engine refused to start a streaming query for what the statement is (it ran
// nothing): only queries stream, one statement per call.
bool refused_by_streaming_api(std::string_view error) {
    return error.find("Streaming query is not supported") != std::string_view::npos
        || error.find("Multi-statements are not allowed") != std::string_view::npos;
}

// Stops the engine's query unless it has ended: a half-read stream would break the connection's
// next statement.
class StreamGuard {
public:
    StreamGuard(const EngineApi & a, chffi_conn * c, EngineResult * s) : api(a), conn(c), stream(s) {}
    StreamGuard(const StreamGuard &) = delete;
    StreamGuard & operator=(const StreamGuard &) = delete;
    ~StreamGuard() {
        if (!ended)
            api.stream_cancel_query(*conn->handle, stream);
    }
    bool ended = false;

private:
    const EngineApi & api;
    chffi_conn * conn;
    EngineResult * stream;
};

} // namespace

// The result columns of sql, from DESCRIBE (which analyses the query without running it).
bool describe_columns(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params,
    std::vector<std::pair<std::string, std::string>> & columns, std::string & error) {
    while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n' || sql.back() == '\t' || sql.back() == '\r'))
        sql.remove_suffix(1);
    // The newline ends a trailing -- comment. The settings keep the output to one row per
    // result column whatever the connection set (describe_include_subcolumns adds rows).
    std::string describe = "DESCRIBE (" + std::string(sql)
        + "\n) SETTINGS describe_include_subcolumns = 0, describe_include_virtual_columns = 0";
    // The engine's own parser must see exactly one statement in the wrapped text: SQL such as
    // `SELECT 1) ; SELECT (1` would otherwise run statements of its own inside the DESCRIBE.
    if (!is_single_statement(api, conn, describe, error))
        return false;
    constexpr std::string_view format = "RowBinaryWithNames";
    OwnedResult r(run_query(api, *conn->handle, describe, format, params), DestroyResult{&api});
    error = error_of(api, r.get());
    if (!error.empty())
        return false;
    columns = described_columns(reinterpret_cast<const uint8_t *>(api.result_buffer(r.get())), api.result_length(r.get()));
    return true;
}

int32_t run_into_result(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params, std::string_view format,
    chffi_result * result, chffi_result_info * info) {
    EngineResult * r = run_query(api, *conn->handle, sql, format, params);
    if (result->engine != nullptr)
        api.destroy_result(result->engine);
    result->engine = r;
    *info = chffi_result_info{};
    if (r == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
    const char * error = describe(api, r, *info);
    return error != nullptr ? fail(result, CHFFI_ENGINE_ERROR, error) : CHFFI_OK;
}

int32_t query_arrow_native(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params, uint32_t flags,
    chffi_arrow & out, chffi_result * result, chffi_result_info * info) {
    EngineArrowOptions options = options_from(flags);
    result->engine = start_query_stream(api, *conn->handle, sql, "Native", params);
    if (result->engine == nullptr)
        return fail(result, CHFFI_ENGINE_ERROR, "the engine returned no result");
    if (const char * error = describe(api, result->engine, *info)) {
        if (!refused_by_streaming_api(error))
            return fail(result, CHFFI_ENGINE_ERROR, error);
        api.destroy_result(result->engine);
        result->engine = nullptr;
        *info = chffi_result_info{};
        return kNotStreamable;
    }

    bool for_rows = (flags & CHFFI_ARROW_FOR_ROWS) != 0;
    NativeArrowDecoder decoder(options.string_as_string == 0, for_rows || (flags & CHFFI_ARROW_TYPE_NAMES) != 0);
    SpillFile spill;
    {
        // Declared before the consumer: on an early exit the consumer stops first, then the
        // engine's query is cancelled.
        StreamGuard guard(api, conn, result->engine);
        ChunkConsumer consumer(decoder, spill, out);
        OwnedResult first(nullptr, DestroyResult{&api});
        for (;;) {
            OwnedResult chunk(api.stream_fetch_result(*conn->handle, result->engine), DestroyResult{&api});
            if (std::string error = error_of(api, chunk.get()); !error.empty()) {
                guard.ended = chunk != nullptr;
                return fail(result, CHFFI_ENGINE_ERROR, error);
            }
            if (api.result_length(chunk.get()) == 0) {
                guard.ended = true;
                break;
            }
            // A one-chunk result is consumed here, without a thread: the first chunk waits
            // until a second one shows there is more.
            if (first == nullptr && consumer.idle()) {
                first = std::move(chunk);
                continue;
            }
            if (first != nullptr && !consumer.push(std::move(first)))
                break;
            if (!consumer.push(std::move(chunk)))
                break;
        }
        if (first != nullptr)
            consume(reinterpret_cast<const uint8_t *>(api.result_buffer(first.get())), api.result_length(first.get()), decoder, spill, out);
        consumer.finish();
    }
    std::string error;
    if (out.schema.release == nullptr && !spill.active()) {
        std::vector<std::pair<std::string, std::string>> columns;
        if (!describe_columns(api, conn, sql, params, columns, error))
            return fail(result, CHFFI_ENGINE_ERROR, "the statement returned no rows and no columns to build a table from: " + error);
        std::string header = native_header(columns);
        auto * data = reinterpret_cast<const uint8_t *>(header.data());
        if (!decoder.decode(data, header.size(), out))
            spill.write(data, header.size());
    }
    if (!spill.active())
        return CHFFI_OK;
    std::string from_spill = "SELECT * FROM file('" + spill.path() + "', 'Native')";
    if (for_rows)
        return run_into_result(api, conn, from_spill, Params{}, kRowsFormat, result, info);
    if (!convert_by_engine(api, conn, from_spill, options, out, error))
        return fail(result, CHFFI_ENGINE_ERROR, error);
    return CHFFI_OK;
}

} // namespace chffi
