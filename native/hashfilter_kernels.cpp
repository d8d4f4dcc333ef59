// The seven hash-filter operations over Arrow string columns, run in place over the Arrow
// buffers of the caller (apache-arrow JS memory): no copy of the column, no per-row call.
#include "boundary.h"
#include "chdb_ffi.h"
#include "hashset_handle.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chffi {
namespace {

// One Utf8/LargeUtf8 array as described by the caller (see chffi_hashset_apply in chdb_ffi.h).
struct StringArray {
    uint64_t kind = 0; // CHFFI_COLUMN_UTF8 or CHFFI_COLUMN_LARGE_UTF8
    uint64_t length = 0;
    const uint8_t * validity = nullptr;
    uint64_t validity_offset = 0;
    const void * offsets = nullptr;
    const uint8_t * data = nullptr;
    uint64_t data_len = 0;

    static StringArray from(const uint64_t * w) {
        StringArray a;
        a.kind = w[0];
        a.length = w[1];
        a.validity = reinterpret_cast<const uint8_t *>(w[2]);
        a.validity_offset = w[3];
        a.offsets = reinterpret_cast<const void *>(w[4]);
        a.data = reinterpret_cast<const uint8_t *>(w[5]);
        a.data_len = w[6];
        return a;
    }

    bool valid(uint64_t i) const {
        if (validity == nullptr) return true;
        uint64_t bit = validity_offset + i;
        return (validity[bit >> 3] >> (bit & 7)) & 1;
    }

    uint64_t offset(uint64_t i) const {
        return kind == CHFFI_COLUMN_UTF8 ? static_cast<uint64_t>(static_cast<const int32_t *>(offsets)[i])
                                         : static_cast<uint64_t>(static_cast<const int64_t *>(offsets)[i]);
    }

    std::string_view value(uint64_t i) const {
        uint64_t begin = offset(i);
        return {reinterpret_cast<const char *>(data) + begin, static_cast<size_t>(offset(i + 1) - begin)};
    }

    // Offsets must be non-decreasing and inside the data: checked before any work is done.
    void check(const char * what) const {
        if (kind != CHFFI_COLUMN_UTF8 && kind != CHFFI_COLUMN_LARGE_UTF8) throw std::invalid_argument(std::string(what) + ": unknown column kind");
        if (length == 0) return;
        if (offsets == nullptr) throw std::invalid_argument(std::string(what) + ": no offsets buffer");
        int64_t previous = kind == CHFFI_COLUMN_UTF8 ? static_cast<const int32_t *>(offsets)[0] : static_cast<const int64_t *>(offsets)[0];
        if (previous < 0) throw std::invalid_argument(std::string(what) + ": negative offset");
        for (uint64_t i = 1; i <= length; i++) {
            int64_t next = kind == CHFFI_COLUMN_UTF8 ? static_cast<const int32_t *>(offsets)[i] : static_cast<const int64_t *>(offsets)[i];
            if (next < previous) throw std::invalid_argument(std::string(what) + ": offsets decrease at row " + std::to_string(i - 1));
            previous = next;
        }
        if (static_cast<uint64_t>(previous) > data_len) throw std::invalid_argument(std::string(what) + ": offsets point past the data buffer");
        if (previous > 0 && data == nullptr) throw std::invalid_argument(std::string(what) + ": no data buffer");
    }
};

// A column chunk: a plain string array, or dictionary indices into one.
struct Chunk {
    StringArray strings; // the values, or the dictionary
    bool dictionary = false;
    uint64_t length = 0;
    const uint8_t * validity = nullptr; // of the indices, for a dictionary
    uint64_t validity_offset = 0;
    const void * indices = nullptr;
    uint32_t index_width = 0;
    bool index_signed = false;
    uint8_t * out_values = nullptr;
    uint8_t * out_validity = nullptr;

    static Chunk from(const uint64_t * w) {
        Chunk c;
        c.out_values = reinterpret_cast<uint8_t *>(w[8]);
        c.out_validity = reinterpret_cast<uint8_t *>(w[9]);
        if (w[0] != CHFFI_COLUMN_DICTIONARY) {
            c.strings = StringArray::from(w);
            c.length = c.strings.length;
            return c;
        }
        c.dictionary = true;
        c.length = w[1];
        c.validity = reinterpret_cast<const uint8_t *>(w[2]);
        c.validity_offset = w[3];
        c.indices = reinterpret_cast<const void *>(w[4]);
        c.index_width = static_cast<uint32_t>(w[5] & 0xff);
        c.index_signed = (w[5] >> 8) & 1;
        c.strings = StringArray::from(w + 16);
        return c;
    }

    uint64_t index(uint64_t i) const {
        switch (index_width) {
        case 1: return index_signed ? static_cast<uint64_t>(static_cast<const int8_t *>(indices)[i]) : static_cast<const uint8_t *>(indices)[i];
        case 2: return index_signed ? static_cast<uint64_t>(static_cast<const int16_t *>(indices)[i]) : static_cast<const uint16_t *>(indices)[i];
        case 4: return index_signed ? static_cast<uint64_t>(static_cast<const int32_t *>(indices)[i]) : static_cast<const uint32_t *>(indices)[i];
        default: return static_cast<const uint64_t *>(indices)[i];
        }
    }

    bool index_valid(uint64_t i) const {
        if (validity == nullptr) return true;
        uint64_t bit = validity_offset + i;
        return (validity[bit >> 3] >> (bit & 7)) & 1;
    }

    // Whether row i holds a value, and which.
    bool get(uint64_t i, std::string_view & out) const {
        if (!dictionary) {
            if (!strings.valid(i)) return false;
            out = strings.value(i);
            return true;
        }
        if (!index_valid(i)) return false;
        uint64_t k = index(i);
        if (!strings.valid(k)) return false;
        out = strings.value(k);
        return true;
    }

    void check(size_t n) const {
        std::string what = "column chunk " + std::to_string(n);
        strings.check(dictionary ? (what + " (dictionary)").c_str() : what.c_str());
        if (!dictionary) return;
        if (index_width != 1 && index_width != 2 && index_width != 4 && index_width != 8) throw std::invalid_argument(what + ": bad index width");
        if (length > 0 && indices == nullptr) throw std::invalid_argument(what + ": no indices buffer");
        for (uint64_t i = 0; i < length; i++) {
            if (index_valid(i) && index(i) >= strings.length) throw std::invalid_argument(what + ": dictionary index out of range at row " + std::to_string(i));
        }
    }
};

// Packs one result bit per row, a byte at a time.
class BitWriter {
public:
    explicit BitWriter(uint8_t * out) : out_(out) {}
    void push(bool bit) {
        current_ |= static_cast<uint8_t>(bit) << fill_;
        if (++fill_ == 8) {
            if (out_ != nullptr) *out_++ = current_;
            current_ = 0;
            fill_ = 0;
        }
    }
    void finish() {
        if (fill_ != 0 && out_ != nullptr) *out_ = current_;
    }

private:
    uint8_t * out_;
    uint8_t current_ = 0;
    int fill_ = 0;
};

// Rows [begin, end) of one chunk; begin is a multiple of 8, so ranges own whole output bytes.
struct Range {
    const Chunk * chunk;
    uint64_t begin;
    uint64_t end;
};

// Runs `decide(probe) -> bool` on every valid row of the range, in order, writing result and
// validity bits.
template <typename Decide>
void run_range(const StringSet & set, const Range & r, bool write, Decide && decide) {
    const Chunk & c = *r.chunk;
    BitWriter values(write && c.out_values != nullptr ? c.out_values + r.begin / 8 : nullptr);
    BitWriter validity(write && c.out_validity != nullptr ? c.out_validity + r.begin / 8 : nullptr);
    auto emit = [&](bool present, bool result) {
        values.push(result);
        validity.push(present);
    };
    if (!c.dictionary && c.strings.validity == nullptr && c.strings.kind == CHFFI_COLUMN_UTF8) {
        // The common case (Utf8 without nulls) gets a loop without per-row kind and null checks.
        const int32_t * offsets = static_cast<const int32_t *>(c.strings.offsets) + r.begin;
        const char * data = reinterpret_cast<const char *>(c.strings.data);
        auto get = [&](uint64_t i, std::string_view & v) {
            v = std::string_view(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
            return true;
        };
        pipelined_rows(set, r.end - r.begin, get, decide, emit);
    } else {
        auto get = [&](uint64_t i, std::string_view & v) { return c.get(r.begin + i, v); };
        pipelined_rows(set, r.end - r.begin, get, decide, emit);
    }
    values.finish();
    validity.finish();
}

// Whole chunks, in order: for updates, whose order matters.
std::vector<Range> in_order(const std::vector<Chunk> & chunks) {
    std::vector<Range> ranges;
    for (const Chunk & c : chunks) ranges.push_back({&c, 0, c.length});
    return ranges;
}

// Lookups only: the rows are cut into pieces that several threads take in turn (the caller holds
// the lock for all of them; a shared lock admits them all).
template <typename Decide>
void run_parallel(const StringSet & set, const std::vector<Chunk> & chunks, Decide && decide) {
    constexpr uint64_t kPiece = 64 * 1024;
    uint64_t total = 0;
    for (const Chunk & c : chunks) total += c.length;
    unsigned threads = std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
    if (total < 2 * kPiece || threads == 1) {
        for (const Range & r : in_order(chunks)) run_range(set, r, true, decide);
        return;
    }
    std::vector<Range> ranges;
    for (const Chunk & c : chunks) {
        for (uint64_t b = 0; b < c.length; b += kPiece) ranges.push_back({&c, b, std::min(c.length, b + kPiece)});
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < ranges.size();) run_range(set, ranges[i], true, decide);
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads && t < ranges.size(); t++) helpers.emplace_back(work);
    work();
    for (std::thread & t : helpers) t.join();
}

void apply(StringSet & set, int32_t op, const std::vector<Chunk> & chunks) {
    switch (op) {
    case CHFFI_OP_IS_IN:
    case CHFFI_OP_NOT_IN: {
        std::shared_lock guard(set.lock());
        bool negate = op == CHFFI_OP_NOT_IN;
        run_parallel(set, chunks, [&](const Probe & p) { return set.contains(p) != negate; });
        return;
    }
    case CHFFI_OP_NOT_IN_AND_UPDATE: {
        // Batch semantics: every row is judged against the set as it was before the batch.
        std::unique_lock guard(set.lock());
        run_parallel(set, chunks, [&](const Probe & p) { return !set.contains(p); });
        for (const Range & r : in_order(chunks)) run_range(set, r, false, [&](const Probe & p) { return set.insert(p); });
        return;
    }
    case CHFFI_OP_NOT_IN_AND_UPDATE_ROWWISE:
    case CHFFI_OP_UPDATE_BOOL: {
        // Row by row these two are the same question: was this row's value new to the set?
        std::unique_lock guard(set.lock());
        for (const Range & r : in_order(chunks)) run_range(set, r, true, [&](const Probe & p) { return set.insert(p); });
        return;
    }
    case CHFFI_OP_UPDATE: {
        std::unique_lock guard(set.lock());
        for (const Range & r : in_order(chunks)) run_range(set, r, false, [&](const Probe & p) { return set.insert(p); });
        return;
    }
    default:
        throw std::invalid_argument("unknown hash-filter operation " + std::to_string(op));
    }
}

} // namespace
} // namespace chffi

extern "C" CHFFI_API int32_t chffi_hashset_apply(
    chffi_hashset * set, int32_t op, const uint64_t * chunks, size_t chunk_count, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&]() -> int32_t {
        if (set == nullptr || (chunks == nullptr && chunk_count != 0))
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_hashset_apply: NULL argument");
        if (op < CHFFI_OP_IS_IN || op > CHFFI_OP_UPDATE_BOOL)
            return chffi::report(out_error, CHFFI_MISUSE, "unknown hash-filter operation " + std::to_string(op));
        std::vector<chffi::Chunk> parsed;
        parsed.reserve(chunk_count);
        try {
            for (size_t i = 0; i < chunk_count; i++) {
                parsed.push_back(chffi::Chunk::from(chunks + i * CHFFI_CHUNK_WORDS));
                parsed.back().check(i);
            }
        } catch (const std::invalid_argument & e) {
            return chffi::report(out_error, CHFFI_MISUSE, e.what());
        }
        chffi::apply(set->set, op, parsed);
        return CHFFI_OK;
    });
}
