// Checks Arrow arrays against the byte lengths of their buffers before the engine reads them:
// the engine trusts lengths and offsets, so a short buffer or an offset past the data would make
// it read (and return) memory that is not the table's. Pure: reads the buffers, calls nothing.
#pragma once

#include "arrow_tree.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chffi {

// One buffer of an array as the caller described it: where it is and how many bytes it has.
struct SizedBuffer {
    const uint8_t * data = nullptr;
    uint64_t size = 0;
};

// An array node whose buffers carry their sizes (same shape as ArrayNode).
struct SizedArray {
    int64_t length = 0;
    int64_t null_count = 0;
    int64_t offset = 0;
    std::vector<SizedBuffer> buffers;
    std::vector<SizedArray> children;
    std::unique_ptr<SizedArray> dictionary;
};

// Throws std::invalid_argument naming `column` and what is wrong when `array` (of schema `type`)
// is not a well-formed Arrow array of a type chffi_scan accepts: buffer count, every buffer long
// enough for offset + length values, offsets non-negative, non-decreasing and within the data
// (or child) they index, children long enough, dictionary indices within the dictionary.
void validate_array(const SchemaNode & type, const SizedArray & array, const std::string & column);

// validate_array for every column of a record batch (a struct array whose children are the columns).
void validate_batch(const SchemaNode & schema, const SizedArray & batch);

} // namespace chffi
