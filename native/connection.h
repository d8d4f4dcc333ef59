// Internals shared by the shim's source files: what a connection and a result are.
#pragma once

#include "boundary.h"
#include "chdb_ffi.h"
#include "engine.h"
#include "fault.h"
#include "string_list.h"

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <vector>

struct chffi_conn {
    chffi::EngineConnection ** handle = nullptr;
    std::string path;
    std::mutex query_mutex; // the engine runs one statement at a time per connection
    std::atomic<uint32_t> in_flight{0}; // queries running and streams open: close() is refused meanwhile
    // Arrow streams not yet finished: the engine runs one statement per connection, and a
    // statement started under an open stream breaks that stream, so queries are refused meanwhile.
    std::atomic<uint32_t> open_streams{0};
};

// The message for a query refused because a stream is still open on its connection.
inline constexpr const char * kStreamOpenMessage =
    "the connection has an open streaming query: finish or close it before running another query on this connection";

struct chffi_result {
    chffi::EngineResult * engine = nullptr;
    std::string message; // while the call runs: its error, which with_result() reports
};

namespace chffi {

// Fills info from an engine result (data and metrics); returns its error message, or nullptr
// when it succeeded.
const char * describe(const EngineApi & api, EngineResult * r, chffi_result_info & info);

// After a query failed: takes the output it wrote before failing out of libchdb's buffer for the
// connection (else the next result of the connection starts with it). Needs the query mutex.
void discard_partial_output(const EngineApi & api, EngineConnection * handle);

// Records a failed call's message in its result (with_result() reports it); returns status.
int32_t fail(chffi_result * result, int32_t status, std::string message) noexcept;

// Bound parameters decoded from a string list of name/value pairs, as the engine's four arrays.
struct Params {
    std::vector<const char *> names, values;
    std::vector<size_t> name_lens, value_lens;

    bool decode(const uint8_t * data, size_t len) {
        std::vector<std::string_view> list;
        if (!decode_string_list(data, len, list) || list.size() % 2 != 0)
            return false;
        for (size_t i = 0; i < list.size(); i += 2) {
            names.push_back(list[i].data());
            name_lens.push_back(list[i].size());
            values.push_back(list[i + 1].data());
            value_lens.push_back(list[i + 1].size());
        }
        return true;
    }
    size_t size() const { return names.size(); }
};

// Starts a streaming query whose chunks come in the given output format.
inline EngineResult * start_query_stream(
    const EngineApi & api, EngineConnection * handle, std::string_view sql, std::string_view format, const Params & params) {
    if (fault::hit()) return nullptr;
    if (params.size() == 0)
        return api.stream_query_n(handle, sql.data(), sql.size(), format.data(), format.size());
    return api.stream_query_with_params_n(handle, sql.data(), sql.size(), format.data(), format.size(), params.names.data(),
        params.name_lens.data(), params.values.data(), params.value_lens.data(), params.size());
}

// Runs one query whose whole output comes in the given format.
inline EngineResult * run_query(
    const EngineApi & api, EngineConnection * handle, std::string_view sql, std::string_view format, const Params & params) {
    if (fault::hit()) return nullptr;
    if (params.size() == 0)
        return api.query_n(handle, sql.data(), sql.size(), format.data(), format.size());
    return api.query_with_params_n(handle, sql.data(), sql.size(), format.data(), format.size(), params.names.data(),
        params.name_lens.data(), params.values.data(), params.value_lens.data(), params.size());
}

// An engine result freed when it goes out of scope.
struct DestroyResult {
    const EngineApi * api;
    void operator()(EngineResult * r) const {
        if (r != nullptr)
            api->destroy_result(r);
    }
};
using OwnedResult = std::unique_ptr<EngineResult, DestroyResult>;

// The engine's error message of r ("" when none).
inline std::string error_of(const EngineApi & api, EngineResult * r) {
    if (r == nullptr)
        return "the engine returned no result";
    const char * e = api.result_error(r);
    return e != nullptr ? e : "";
}

// Runs body(result) on a new result (exceptions mapped to statuses) and hands it back through
// *out on CHFFI_OK; on failure frees it and reports its message through out_error instead.
template <typename Body>
int32_t with_result(chffi_result ** out, chffi_result_info * info, chffi_error ** out_error, Body && body) noexcept {
    if (out_error != nullptr)
        *out_error = nullptr;
    if (out == nullptr || info == nullptr)
        return report(out_error, CHFFI_MISUSE, "NULL out_result or out_info");
    *info = chffi_result_info{};
    *out = nullptr;
    chffi_result * result = fault::hit() ? nullptr : new (std::nothrow) chffi_result();
    if (result == nullptr)
        return report(out_error, CHFFI_NO_MEMORY, "out of memory");
    int32_t status;
    try {
        status = body(result);
    } catch (const std::bad_alloc &) {
        status = fail(result, CHFFI_NO_MEMORY, "out of memory");
    } catch (const std::exception & e) {
        status = fail(result, CHFFI_INTERNAL, e.what());
    } catch (...) {
        status = fail(result, CHFFI_INTERNAL, "unknown C++ exception in chdb-ffi shim");
    }
    if (status == CHFFI_OK) {
        *out = result;
        return status;
    }
    report(out_error, status, result->message);
    *info = chffi_result_info{};
    chffi_result_free(result);
    return status;
}

// with_result() for calls that hand back no result, only a status (and its error): body gets a
// result and info of its own, freed before the call returns.
template <typename Body>
int32_t status_only(chffi_error ** out_error, Body && body) noexcept {
    chffi_result * result = nullptr;
    chffi_result_info info;
    int32_t status = with_result(&result, &info, out_error, [&](chffi_result * r) { return body(r, &info); });
    chffi_result_free(result);
    return status;
}

// Whether the engine's parser reads sql as exactly one statement (chdb_classify_query_n); false
// with a reason otherwise, or when this libchdb cannot tell. Call with conn->query_mutex held.
bool is_single_statement(const EngineApi & api, chffi_conn * conn, std::string_view sql, std::string & error);

// A stream's hold on its connection (in_flight, and open_streams for Arrow streams), given back
// when this object dies unless keep() handed it over to the stream: every early return and
// exception on the way to a stream leaves the connection's counts as they were.
class StreamHold {
public:
    StreamHold(chffi_conn * c, bool arrow_stream) : conn(c), arrow(arrow_stream) {
        conn->in_flight.fetch_add(1);
        if (arrow)
            conn->open_streams.fetch_add(1);
    }
    ~StreamHold() {
        if (conn == nullptr)
            return;
        if (arrow)
            conn->open_streams.fetch_sub(1);
        conn->in_flight.fetch_sub(1);
    }
    void keep() { conn = nullptr; }
    StreamHold(const StreamHold &) = delete;
    StreamHold & operator=(const StreamHold &) = delete;

private:
    chffi_conn * conn;
    bool arrow;
};

// Counts an operation on conn as in flight for the lifetime of this object.
class InFlight {
public:
    explicit InFlight(chffi_conn * c) : conn(c) { conn->in_flight.fetch_add(1); }
    ~InFlight() { conn->in_flight.fetch_sub(1); }
    InFlight(const InFlight &) = delete;
    InFlight & operator=(const InFlight &) = delete;

private:
    chffi_conn * conn;
};

} // namespace chffi
