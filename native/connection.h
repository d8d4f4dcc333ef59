// The connection and result objects shared by the shim's query paths (text and Arrow).
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
    std::atomic<uint32_t> in_flight{0};
    // Streaming queries not yet finished: the engine runs one statement per connection, and a
    // statement started under an open stream breaks that stream.
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

// Fills info from an engine result (data, metrics, error message).
void describe(const EngineApi & api, EngineResult * r, chffi_result_info & info);

// Records a shim-side failure in result/info and returns status.
int32_t fail(chffi_result * result, chffi_result_info * info, int32_t status, std::string message);

} // namespace chffi
