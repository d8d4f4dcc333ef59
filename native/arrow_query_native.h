// chffi_query_arrow's streamed path (arrow_query_native.cpp).
#pragma once

#include "arrow_export.h"
#include "connection.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chffi {

// query_arrow_native's answer when the streaming API refused the statement before running it
// (not a query, or several statements): the caller exports it another way.
inline constexpr int32_t kNotStreamable = -1;

// The rows format of CHFFI_ARROW_FOR_ROWS results the shim does not build as Arrow.
inline constexpr std::string_view kRowsFormat = "RowBinaryWithNamesAndTypes";

// The result columns (name, ClickHouse type) of sql, from DESCRIBE (which analyses the query
// without running it); false with the engine's message when it cannot be described.
bool describe_columns(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params,
    std::vector<std::pair<std::string, std::string>> & columns, std::string & error);

// Runs sql as one plain query in format; its output and metrics become the call's result.
int32_t run_into_result(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params, std::string_view format,
    chffi_result * result, chffi_result_info * info);

// Runs sql to its end through the engine's streaming API in the Native format and appends the
// result to out as Arrow. The caller holds conn's query mutex. Errors as chffi_query_arrow, or
// kNotStreamable (with result and info reset).
int32_t query_arrow_native(const EngineApi & api, chffi_conn * conn, std::string_view sql, const Params & params, uint32_t flags,
    chffi_arrow & out, chffi_result * result, chffi_result_info * info);

} // namespace chffi
