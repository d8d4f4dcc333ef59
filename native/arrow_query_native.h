// chffi_query_arrow's streamed path (arrow_query_native.cpp).
#pragma once

#include "arrow_export.h"
#include "connection.h"

#include <cstdint>
#include <string_view>

namespace chffi {

// Runs sql to its end through the engine's streaming API in the Native format and appends the
// result to out as Arrow. The caller holds conn's query mutex. Errors as chffi_query_arrow.
int32_t query_arrow_native(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params, uint32_t flags,
    chffi_arrow & out, chffi_result * result, chffi_result_info * info);

} // namespace chffi
