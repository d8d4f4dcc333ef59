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
};

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
