// Arrow batches built by the shim from the engine's Native output format. The engine writes
// Native as a bulk copy per column, where its own Arrow export appends value by value; for plain
// column types building the Arrow buffers here from Native is ~2x faster end to end
// (bench/README.md). The Arrow types are the ones the engine's export gives for the same columns
// (tests/arrow_native.test.ts compares both); any other column type is left to the engine.
#pragma once

#include "arrow_export.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chffi {

class Arena; // result_arena.h
struct NativeColumnType;

class NativeArrowDecoder {
public:
    // with_type_names: each field's metadata holds its ClickHouse type as "clickhouse.type".
    NativeArrowDecoder(bool strings_as_binary, bool with_type_names);
    ~NativeArrowDecoder();
    NativeArrowDecoder(const NativeArrowDecoder &) = delete;
    NativeArrowDecoder & operator=(const NativeArrowDecoder &) = delete;

    // Appends the blocks of one chunk of Native output to out as batches (the schema from the
    // first block). Returns false, leaving out unchanged, when the first block has a column type
    // this decoder does not build. Throws std::runtime_error on malformed input or on a block
    // whose columns differ from the first block's. Each out (told by its having no schema yet)
    // gets memory of its own, freed when out's last batch is released.
    bool decode(const uint8_t * data, size_t size, chffi_arrow & out);

private:
    bool strings_as_binary;
    bool with_type_names;
    std::vector<std::pair<std::string, std::string>> columns; // the first block's names and types
    std::vector<NativeColumnType> types;
    std::shared_ptr<Arena> arena;
};

// Whether NativeArrowDecoder builds columns of this ClickHouse type.
bool native_decodable(std::string_view type);

// The (name, type) rows of a DESCRIBE result in RowBinaryWithNames. Throws std::runtime_error
// when data is not that.
std::vector<std::pair<std::string, std::string>> described_columns(const uint8_t * data, size_t size);

// A Native block of the given (name, type) columns and no rows: what an empty result would have
// said about its columns.
std::string native_header(const std::vector<std::pair<std::string, std::string>> & columns);

} // namespace chffi
