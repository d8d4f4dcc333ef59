// Native format → Arrow C Data Interface (see native_arrow.h). Native is, per block: column
// count and row count (varints), then per column its name, its type name (varint-prefixed
// strings) and its values: fixed-width values back to back, strings as varint length + bytes,
// Nullable as a null map (one byte per row) followed by the values.
#include "native_arrow.h"

#include "arrow_tree.h"
#include "result_arena.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string_view>

namespace chffi {

enum class Kind {
    Copy,         // fixed-width values, same width in Arrow
    WidenDate,    // Date (UInt16 days) → date32 (Int32 days)
    WidenDecimal, // Decimal32/64 → decimal128 (sign-extended)
    Bool,         // one byte per value → one bit per value
    String,       // varint length + bytes → int32 offsets + data
};

struct NativeColumnType {
    Kind kind;
    std::string format; // the Arrow format string
    size_t in_width;    // bytes per value in Native (fixed-width kinds)
    size_t out_width;   // bytes per value in Arrow (fixed-width kinds)
    bool nullable;
};

namespace {

class Reader {
public:
    Reader(const uint8_t * data, size_t size) : p(data), end(data + size) {}
    bool done() const { return p == end; }
    size_t left() const { return static_cast<size_t>(end - p); }

    uint64_t varint() {
        uint64_t x = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            uint8_t b = *p++;
            x |= uint64_t(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return x;
        }
        throw std::runtime_error("Native data: malformed length");
    }
    std::string_view string() {
        uint64_t n = varint();
        return std::string_view(reinterpret_cast<const char *>(bytes(n)), n);
    }
    const uint8_t * bytes(uint64_t n) {
        need(n);
        const uint8_t * at = p;
        p += n;
        return at;
    }

    const uint8_t * p;
    const uint8_t * end;

private:
    void need(uint64_t n) const {
        if (n > left())
            throw std::runtime_error("Native data: truncated block");
    }
};

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// The digits of s as a number, or -1.
int number(std::string_view s) {
    if (s.empty() || s.size() > 4)
        return -1;
    int n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

// The Arrow type the engine's export gives for a ClickHouse type name, or false for a type this
// decoder leaves to the engine.
bool parse_type(std::string_view name, bool strings_as_binary, NativeColumnType & t) {
    t.nullable = false;
    if (starts_with(name, "Nullable(") && name.back() == ')') {
        name = name.substr(9, name.size() - 10);
        t.nullable = true;
    }
    struct Fixed {
        std::string_view name;
        const char * format;
        size_t width;
    };
    static const Fixed fixed[] = {{"UInt8", "C", 1}, {"Int8", "c", 1}, {"UInt16", "S", 2}, {"Int16", "s", 2}, {"UInt32", "I", 4},
        {"Int32", "i", 4}, {"UInt64", "L", 8}, {"Int64", "l", 8}, {"Float32", "f", 4}, {"Float64", "g", 8}, {"Date32", "tdD", 4},
        {"DateTime", "I", 4}, {"Int128", "w:16", 16}, {"UInt128", "w:16", 16}, {"Int256", "w:32", 32}, {"UInt256", "w:32", 32}};
    for (const Fixed & f : fixed) {
        if (name == f.name) {
            t = NativeColumnType{Kind::Copy, f.format, f.width, f.width, t.nullable};
            return true;
        }
    }
    if (starts_with(name, "DateTime('")) { // the engine exports the seconds without the zone
        t = NativeColumnType{Kind::Copy, "I", 4, 4, t.nullable};
        return true;
    }
    if (name == "Date") {
        t = NativeColumnType{Kind::WidenDate, "tdD", 2, 4, t.nullable};
        return true;
    }
    if (name == "Bool") {
        t = NativeColumnType{Kind::Bool, "b", 1, 0, t.nullable};
        return true;
    }
    if (name == "String") {
        t = NativeColumnType{Kind::String, strings_as_binary ? "z" : "u", 0, 0, t.nullable};
        return true;
    }
    if (starts_with(name, "FixedString(") && name.back() == ')') {
        int n = number(name.substr(12, name.size() - 13));
        if (n <= 0)
            return false;
        t = NativeColumnType{Kind::Copy, "w:" + std::to_string(n), size_t(n), size_t(n), t.nullable};
        return true;
    }
    if (starts_with(name, "Decimal(") && name.back() == ')') {
        std::string_view args = name.substr(8, name.size() - 9);
        size_t comma = args.find(", ");
        if (comma == std::string_view::npos)
            return false;
        int precision = number(args.substr(0, comma)), scale = number(args.substr(comma + 2));
        if (precision <= 0 || scale < 0 || precision > 76)
            return false;
        std::string format = "d:" + std::to_string(precision) + "," + std::to_string(scale);
        if (precision <= 9)
            t = NativeColumnType{Kind::WidenDecimal, format, 4, 16, t.nullable};
        else if (precision <= 18)
            t = NativeColumnType{Kind::WidenDecimal, format, 8, 16, t.nullable};
        else if (precision <= 38)
            t = NativeColumnType{Kind::Copy, format, 16, 16, t.nullable};
        else
            t = NativeColumnType{Kind::Copy, format + ",256", 32, 32, t.nullable};
        return true;
    }
    return false;
}

// One decoded column of one block.
struct ColumnBuffers {
    const void * buffers[3] = {nullptr, nullptr, nullptr};
    int64_t n_buffers = 2;
    int64_t null_count = 0;
};

// The C Data Interface's binary metadata encoding of one key/value pair.
std::string metadata_pair(std::string_view key, std::string_view value) {
    std::string out;
    auto put_int32 = [&](size_t n) {
        int32_t v = static_cast<int32_t>(n);
        out.append(reinterpret_cast<const char *>(&v), 4);
    };
    put_int32(1);
    put_int32(key.size());
    out.append(key);
    put_int32(value.size());
    out.append(value);
    return out;
}

ArrowSchema make_schema(
    const std::vector<std::pair<std::string, std::string>> & columns, const std::vector<NativeColumnType> & types, bool with_type_names) {
    auto tree = std::make_shared<SchemaNode>();
    tree->format = "+s";
    tree->children.resize(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
        SchemaNode & child = tree->children[i];
        child.format = types[i].format;
        child.name = columns[i].first;
        child.metadata = with_type_names ? metadata_pair("clickhouse.type", columns[i].second) : std::string();
        child.flags = types[i].nullable ? ARROW_FLAG_NULLABLE : 0;
    }
    ArrowSchema out{};
    export_schema(*tree, tree, &out);
    return out;
}

// The validity bitmap of a null map (1 = null), or nullptr when no value is null.
const uint8_t * validity_of(const uint8_t * null_map, uint64_t rows, Arena & arena, int64_t & null_count) {
    uint64_t nulls = 0;
    for (uint64_t i = 0; i < rows; ++i)
        nulls += null_map[i] != 0;
    null_count = static_cast<int64_t>(nulls);
    if (nulls == 0)
        return nullptr;
    uint8_t * bits = arena.allocate((rows + 7) / 8);
    std::memset(bits, 0, (rows + 7) / 8);
    for (uint64_t i = 0; i < rows; ++i)
        bits[i / 8] |= static_cast<uint8_t>((null_map[i] == 0) << (i % 8));
    return bits;
}

uint8_t * pack_bools(const uint8_t * bytes, uint64_t rows, Arena & arena) {
    uint8_t * bits = arena.allocate((rows + 7) / 8);
    std::memset(bits, 0, (rows + 7) / 8);
    for (uint64_t i = 0; i < rows; ++i)
        bits[i / 8] |= static_cast<uint8_t>((bytes[i] != 0) << (i % 8));
    return bits;
}

// Strings: the data can be no larger than what is left of the input, so that is allocated and
// the unused tail given back. Values up to 16 bytes are copied as 16 (a fixed-size copy instead
// of a call per value); the 16 bytes of slack keep that inside both buffers.
void decode_strings(Reader & in, uint64_t rows, Arena & arena, ColumnBuffers & out) {
    if (rows > uint64_t(INT32_MAX))
        throw std::runtime_error("Native data: too many rows in one block");
    auto * offsets = reinterpret_cast<int32_t *>(arena.allocate((rows + 1) * 4));
    size_t capacity = in.left() + 16;
    uint8_t * data = arena.allocate(capacity);
    const uint8_t * p = in.p;
    const uint8_t * end = in.end;
    size_t pos = 0;
    offsets[0] = 0;
    for (uint64_t i = 0; i < rows; ++i) {
        uint64_t len;
        if (p < end && *p < 0x80) {
            len = *p++;
        } else {
            in.p = p;
            len = in.varint();
            p = in.p;
        }
        if (len > static_cast<uint64_t>(end - p))
            throw std::runtime_error("Native data: truncated string");
        if (len <= 16 && end - p >= 16)
            std::memcpy(data + pos, p, 16);
        else
            std::memcpy(data + pos, p, len);
        p += len;
        pos += len;
        if (pos > size_t(INT32_MAX))
            throw std::runtime_error("Native data: a block's strings exceed 2 GiB (Arrow utf8 offsets are 32-bit)");
        offsets[i + 1] = static_cast<int32_t>(pos);
    }
    in.p = p;
    arena.shrink_latest(data, capacity, pos);
    out.n_buffers = 3;
    out.buffers[1] = offsets;
    out.buffers[2] = data;
}

void decode_values(Reader & in, const NativeColumnType & t, uint64_t rows, Arena & arena, ColumnBuffers & out) {
    if (t.nullable)
        out.buffers[0] = validity_of(in.bytes(rows), rows, arena, out.null_count);
    switch (t.kind) {
    case Kind::String:
        decode_strings(in, rows, arena, out);
        return;
    case Kind::Bool:
        out.buffers[1] = pack_bools(in.bytes(rows), rows, arena);
        return;
    case Kind::Copy: {
        const uint8_t * src = in.bytes(rows * t.in_width);
        uint8_t * dst = arena.allocate(rows * t.out_width);
        std::memcpy(dst, src, rows * t.in_width);
        out.buffers[1] = dst;
        return;
    }
    case Kind::WidenDate: {
        const uint8_t * src = in.bytes(rows * 2);
        auto * dst = reinterpret_cast<int32_t *>(arena.allocate(rows * 4));
        for (uint64_t i = 0; i < rows; ++i) {
            uint16_t days;
            std::memcpy(&days, src + i * 2, 2);
            dst[i] = days;
        }
        out.buffers[1] = dst;
        return;
    }
    case Kind::WidenDecimal: {
        const uint8_t * src = in.bytes(rows * t.in_width);
        auto * dst = reinterpret_cast<int64_t *>(arena.allocate(rows * 16));
        for (uint64_t i = 0; i < rows; ++i) {
            int64_t v;
            if (t.in_width == 4) {
                int32_t v32;
                std::memcpy(&v32, src + i * 4, 4);
                v = v32;
            } else {
                std::memcpy(&v, src + i * 8, 8);
            }
            dst[2 * i] = v;
            dst[2 * i + 1] = v < 0 ? -1 : 0;
        }
        out.buffers[1] = dst;
        return;
    }
    }
}

// One batch of the decoded columns, its buffers kept alive by arena.
ArrowArray make_batch(const std::vector<ColumnBuffers> & columns, uint64_t rows, std::shared_ptr<Arena> arena) {
    ArrayNode top;
    top.length = static_cast<int64_t>(rows);
    top.buffers = {nullptr};
    top.children.resize(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
        const ColumnBuffers & c = columns[i];
        ArrayNode & child = top.children[i];
        child.length = static_cast<int64_t>(rows);
        child.null_count = c.null_count;
        child.buffers.assign(c.buffers, c.buffers + c.n_buffers);
    }
    ArrowArray out{};
    export_array(top, std::move(arena), &out);
    return out;
}

void write_varint(std::string & out, uint64_t x) {
    while (x >= 0x80) {
        out.push_back(static_cast<char>((x & 0x7f) | 0x80));
        x >>= 7;
    }
    out.push_back(static_cast<char>(x));
}

void write_string(std::string & out, std::string_view s) {
    write_varint(out, s.size());
    out.append(s);
}

} // namespace

NativeArrowDecoder::NativeArrowDecoder(bool as_binary, bool type_names) : strings_as_binary(as_binary), with_type_names(type_names) {}

NativeArrowDecoder::~NativeArrowDecoder() = default;

bool NativeArrowDecoder::decode(const uint8_t * data, size_t size, chffi_arrow & out) {
    if (out.schema.release == nullptr || arena == nullptr)
        arena = std::make_shared<Arena>();
    out.arena = arena;
    Reader in(data, size);
    while (!in.done()) {
        uint64_t n_columns = in.varint();
        uint64_t rows = in.varint();
        bool first = out.schema.release == nullptr;
        if (!first && n_columns != columns.size())
            throw std::runtime_error("Native data: a block has a different number of columns than the first");
        // Every value takes at least one byte: a larger row count is malformed, and bounding it
        // keeps rows * width from overflowing below.
        // A block of no columns bounds nothing, but its row count must still be an Arrow length
        // (found by fuzzing: 2^64 - 1 rows gave a batch of length -1).
        if (n_columns > in.left() || (n_columns > 0 && rows > in.left()) || rows > uint64_t(INT64_MAX))
            throw std::runtime_error("Native data: malformed column or row count");
        std::vector<ColumnBuffers> decoded(n_columns);
        std::vector<std::pair<std::string, std::string>> names;
        std::vector<NativeColumnType> parsed;
        for (uint64_t i = 0; i < n_columns; ++i) {
            std::string_view name = in.string();
            std::string_view type = in.string();
            if (first) {
                NativeColumnType t;
                if (!parse_type(type, strings_as_binary, t))
                    return false; // nothing was added to out: the engine converts the result instead
                names.emplace_back(std::string(name), std::string(type));
                parsed.push_back(std::move(t));
            } else if (name != columns[i].first || type != columns[i].second) {
                throw std::runtime_error("Native data: a block's columns differ from the first block's");
            }
            decode_values(in, first ? parsed[i] : types[i], rows, *arena, decoded[i]);
        }
        if (first) {
            columns = std::move(names);
            types = std::move(parsed);
            out.schema = make_schema(columns, types, with_type_names);
        }
        if (rows > 0)
            out.batches.push_back(make_batch(decoded, rows, arena));
    }
    return true;
}

bool native_decodable(std::string_view type) {
    NativeColumnType t;
    return parse_type(type, false, t);
}

std::vector<std::pair<std::string, std::string>> described_columns(const uint8_t * data, size_t size) {
    Reader in(data, size);
    uint64_t n = in.varint();
    if (n > in.left())
        throw std::runtime_error("DESCRIBE result: malformed header");
    size_t name_at = n, type_at = n;
    for (uint64_t i = 0; i < n; ++i) {
        std::string_view column = in.string();
        if (column == "name")
            name_at = i;
        else if (column == "type")
            type_at = i;
    }
    if (name_at == n || type_at == n)
        throw std::runtime_error("DESCRIBE result: no name and type columns");
    // Every column of a DESCRIBE result is a String.
    std::vector<std::pair<std::string, std::string>> columns;
    while (!in.done()) {
        std::string name, type;
        for (uint64_t i = 0; i < n; ++i) {
            std::string_view value = in.string();
            if (i == name_at)
                name = value;
            else if (i == type_at)
                type = value;
        }
        columns.emplace_back(std::move(name), std::move(type));
    }
    return columns;
}

std::string native_header(const std::vector<std::pair<std::string, std::string>> & columns) {
    std::string out;
    write_varint(out, columns.size());
    write_varint(out, 0);
    for (const auto & [name, type] : columns) {
        write_string(out, name);
        write_string(out, type);
    }
    return out;
}

} // namespace chffi
