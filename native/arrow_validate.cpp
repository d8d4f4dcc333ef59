// See arrow_validate.h. Every count is bounded before it is multiplied, so no check overflows.
#include "arrow_validate.h"

#include <cstring>
#include <stdexcept>

namespace chffi {
namespace {

// Above any real array: keeps (length + 1) * 16 and the like far from overflow.
constexpr int64_t kMaxLength = int64_t(1) << 48;

[[noreturn]] void fail(const std::string & column, const std::string & what) {
    throw std::invalid_argument("column \"" + column + "\": " + what);
}

// Bytes per value of a fixed-width format, 0 for formats that are not fixed-width.
uint64_t fixed_width(const std::string & f) {
    if (f.size() == 1) {
        switch (f[0]) {
        case 'c': case 'C': return 1;
        case 's': case 'S': case 'e': return 2;
        case 'i': case 'I': case 'f': return 4;
        case 'l': case 'L': case 'g': return 8;
        }
        return 0;
    }
    if (f == "tdD" || f == "tts" || f == "ttm")
        return 4;
    if (f == "tdm" || f == "ttu" || f == "ttn")
        return 8;
    if ((f.size() >= 4 && f.compare(0, 2, "ts") == 0 && f[3] == ':') || (f.size() == 3 && f.compare(0, 2, "tD") == 0))
        return 8;
    if (f.compare(0, 2, "w:") == 0) {
        uint64_t n = std::strtoull(f.c_str() + 2, nullptr, 10);
        return n >= 1 && n <= (1u << 20) ? n : 0;
    }
    if (f.compare(0, 2, "d:") == 0) {
        size_t comma = f.rfind(',');
        size_t first = f.find(',');
        uint64_t bits = comma != first ? std::strtoull(f.c_str() + comma + 1, nullptr, 10) : 128;
        return bits == 32 || bits == 64 || bits == 128 || bits == 256 ? bits / 8 : 0;
    }
    return 0;
}

uint64_t bitmap_bytes(int64_t n) {
    return (static_cast<uint64_t>(n) + 7) / 8;
}

void need(const SizedBuffer & b, uint64_t bytes, const std::string & column, const char * what) {
    if (b.size < bytes)
        fail(column, std::string(what) + " buffer has " + std::to_string(b.size) + " bytes, " + std::to_string(bytes) + " needed");
}

// Offsets [offset, end] of a variable-size layout: non-negative, non-decreasing, last <= limit.
template <typename Offset>
void check_offsets(const SizedBuffer & b, int64_t offset, int64_t end, uint64_t limit, const std::string & column, const char * into) {
    if (end == 0 && b.size == 0)
        return; // an empty array may have no offsets at all
    need(b, (static_cast<uint64_t>(end) + 1) * sizeof(Offset), column, "offsets");
    const auto * o = reinterpret_cast<const Offset *>(b.data);
    Offset first;
    std::memcpy(&first, o + offset, sizeof first);
    if (first < 0)
        fail(column, "negative offset " + std::to_string(first));
    Offset prev = first;
    bool ordered = true;
    // One branch-free pass (vectorises); the position is only looked for when it failed.
    for (int64_t i = offset + 1; i <= end; ++i) {
        Offset v;
        std::memcpy(&v, o + i, sizeof v);
        ordered &= v >= prev;
        prev = v;
    }
    if (!ordered) {
        for (int64_t i = offset + 1; i <= end; ++i)
            if (o[i] < o[i - 1])
                fail(column, "offsets decrease at value " + std::to_string(i - 1 - offset));
    }
    if (static_cast<uint64_t>(prev) > limit)
        fail(column, "last offset " + std::to_string(prev) + " points past the " + std::to_string(limit) + " " + into);
}

template <typename Index>
void check_indices(const SizedBuffer & b, int64_t offset, int64_t end, int64_t dictionary_length, const std::string & column) {
    need(b, static_cast<uint64_t>(end) * sizeof(Index), column, "dictionary indices");
    const auto * idx = reinterpret_cast<const Index *>(b.data);
    bool in_range = true;
    for (int64_t i = offset; i < end; ++i) {
        Index v;
        std::memcpy(&v, idx + i, sizeof v);
        in_range &= v >= 0 && static_cast<uint64_t>(v) < static_cast<uint64_t>(dictionary_length);
    }
    if (!in_range) {
        for (int64_t i = offset; i < end; ++i)
            if (idx[i] < 0 || static_cast<uint64_t>(idx[i]) >= static_cast<uint64_t>(dictionary_length))
                fail(column, "dictionary index " + std::to_string(static_cast<int64_t>(idx[i])) + " at value " + std::to_string(i - offset) +
                        " is outside the dictionary of " + std::to_string(dictionary_length) + " values");
    }
}

void check_indices(const std::string & format, const SizedBuffer & b, int64_t offset, int64_t end, int64_t dictionary_length,
    const std::string & column) {
    if (format == "c")
        check_indices<int8_t>(b, offset, end, dictionary_length, column);
    else if (format == "C")
        check_indices<uint8_t>(b, offset, end, dictionary_length, column);
    else if (format == "s")
        check_indices<int16_t>(b, offset, end, dictionary_length, column);
    else if (format == "S")
        check_indices<uint16_t>(b, offset, end, dictionary_length, column);
    else if (format == "i")
        check_indices<int32_t>(b, offset, end, dictionary_length, column);
    else if (format == "I")
        check_indices<uint32_t>(b, offset, end, dictionary_length, column);
    else if (format == "l")
        check_indices<int64_t>(b, offset, end, dictionary_length, column);
    else if (format == "L")
        check_indices<uint64_t>(b, offset, end, dictionary_length, column);
    else
        fail(column, "dictionary indices of format \"" + format + "\" are not an integer type");
}

void expect_buffers(const SizedArray & a, size_t n, const std::string & column) {
    if (a.buffers.size() != n)
        fail(column, std::to_string(a.buffers.size()) + " buffers where its type has " + std::to_string(n));
}

void expect_children(const SizedArray & a, const SchemaNode & type, size_t n, const std::string & column) {
    if (type.children.size() != n || a.children.size() != n)
        fail(column, "its type needs " + std::to_string(n) + " child array(s)");
}

} // namespace

void validate_array(const SchemaNode & type, const SizedArray & a, const std::string & column) {
    if (a.length < 0 || a.length > kMaxLength || a.offset < 0 || a.offset > kMaxLength)
        fail(column, "length " + std::to_string(a.length) + " / offset " + std::to_string(a.offset) + " out of range");
    if (a.null_count < -1 || a.null_count > a.length)
        fail(column, "null count " + std::to_string(a.null_count) + " for " + std::to_string(a.length) + " values");
    const int64_t end = a.offset + a.length;
    const std::string & f = type.format;
    if (f == "n") {
        expect_buffers(a, 0, column);
        return;
    }
    if (a.buffers.empty())
        fail(column, "no validity buffer slot");
    const SizedBuffer & validity = a.buffers[0];
    if (validity.data == nullptr) {
        if (a.null_count > 0)
            fail(column, std::to_string(a.null_count) + " nulls but no validity bitmap");
    } else {
        need(validity, bitmap_bytes(end), column, "validity");
    }
    if (type.dictionary) {
        expect_buffers(a, 2, column);
        if (!a.dictionary)
            fail(column, "dictionary-encoded without its dictionary");
        validate_array(*type.dictionary, *a.dictionary, column + " (dictionary)");
        check_indices(f, a.buffers[1], a.offset, end, a.dictionary->length, column);
        return;
    }
    if (uint64_t width = fixed_width(f)) {
        expect_buffers(a, 2, column);
        need(a.buffers[1], static_cast<uint64_t>(end) * width, column, "data");
        return;
    }
    if (f == "b") {
        expect_buffers(a, 2, column);
        need(a.buffers[1], bitmap_bytes(end), column, "data");
    } else if (f == "u" || f == "z") {
        expect_buffers(a, 3, column);
        check_offsets<int32_t>(a.buffers[1], a.offset, end, a.buffers[2].size, column, "bytes of data");
    } else if (f == "U" || f == "Z") {
        expect_buffers(a, 3, column);
        check_offsets<int64_t>(a.buffers[1], a.offset, end, a.buffers[2].size, column, "bytes of data");
    } else if (f == "+l" || f == "+m" || f == "+L") {
        expect_buffers(a, 2, column);
        expect_children(a, type, 1, column);
        const SizedArray & values = a.children[0];
        if (f == "+m" && (type.children[0].format != "+s" || type.children[0].children.size() != 2))
            fail(column, "map entries are not a struct of key and value");
        validate_array(type.children[0], values, column + "[]");
        if (f == "+L")
            check_offsets<int64_t>(a.buffers[1], a.offset, end, static_cast<uint64_t>(values.length), column, "child values");
        else
            check_offsets<int32_t>(a.buffers[1], a.offset, end, static_cast<uint64_t>(values.length), column, "child values");
    } else if (f.compare(0, 3, "+w:") == 0) {
        expect_buffers(a, 1, column);
        expect_children(a, type, 1, column);
        uint64_t size = std::strtoull(f.c_str() + 3, nullptr, 10);
        if (size < 1 || size > (1u << 20))
            fail(column, "fixed-size list of " + f.substr(3) + " values");
        validate_array(type.children[0], a.children[0], column + "[]");
        if (static_cast<uint64_t>(a.children[0].length) < static_cast<uint64_t>(end) * size)
            fail(column, "fixed-size list values hold " + std::to_string(a.children[0].length) + " values, " +
                    std::to_string(static_cast<uint64_t>(end) * size) + " needed");
    } else if (f == "+s") {
        expect_buffers(a, 1, column);
        expect_children(a, type, type.children.size(), column);
        for (size_t i = 0; i < a.children.size(); ++i) {
            std::string child = column + "." + type.children[i].name;
            validate_array(type.children[i], a.children[i], child);
            if (a.children[i].length < end)
                fail(child, "holds " + std::to_string(a.children[i].length) + " values, " + std::to_string(end) + " needed");
        }
    } else {
        fail(column, "Arrow format \"" + f + "\" cannot be scanned");
    }
}

void validate_batch(const SchemaNode & schema, const SizedArray & batch) {
    if (schema.format != "+s" || schema.children.size() != batch.children.size())
        throw std::invalid_argument("Arrow batch is not a struct of the schema's columns");
    if (batch.length < 0 || batch.length > kMaxLength || batch.offset != 0)
        throw std::invalid_argument("Arrow batch length " + std::to_string(batch.length) + " / offset out of range");
    if (batch.buffers.size() != 1 || batch.null_count > 0)
        throw std::invalid_argument("Arrow batch: a struct of columns has one buffer and no nulls");
    if (batch.buffers[0].data != nullptr && batch.buffers[0].size < bitmap_bytes(batch.length))
        throw std::invalid_argument("Arrow batch: validity buffer shorter than the batch");
    for (size_t i = 0; i < batch.children.size(); ++i) {
        const std::string & name = schema.children[i].name;
        validate_array(schema.children[i], batch.children[i], name);
        if (batch.children[i].length < batch.length)
            fail(name, "holds " + std::to_string(batch.children[i].length) + " values, the batch has " + std::to_string(batch.length));
    }
}

} // namespace chffi
