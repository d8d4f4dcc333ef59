// Internals shared by the shim's source files: what a connection and a result are.
#pragma once

#include "chdb_ffi.h"
#include "engine.h"

#include <atomic>
#include <mutex>
#include <string>

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
    std::string message; // the shim's own error, when the engine was never reached
};

namespace chffi {

// Fills info from an engine result (data, metrics, and the error message if any).
void describe(const EngineApi & api, EngineResult * r, chffi_result_info & info);

// Records the shim's own error in result and info; returns status.
int32_t fail(chffi_result * result, chffi_result_info * info, int32_t status, std::string message);

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
