// The string set behind StringHashSet: keys live in an append-only arena of large blocks (one
// length-prefixed record per key, no per-key heap allocation); a boost::unordered_flat_set (SIMD
// swiss-table family) holds one 8-byte pointer per key. Lookups hash the caller's bytes in place
// and never allocate. A readers-writer lock lets lookups run in parallel and updates alone.
#pragma once

#include "string_hash.h"

#include <boost/unordered/unordered_flat_set.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <shared_mutex>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace chffi {

// A key record in the arena: a uint32 byte length followed by the bytes, unaligned.
using KeyRecord = const uint8_t *;

inline uint32_t record_length(KeyRecord r) {
    uint32_t n;
    std::memcpy(&n, r, 4);
    return n;
}

inline std::string_view record_view(KeyRecord r) {
    return {reinterpret_cast<const char *>(r) + 4, record_length(r)};
}

// Bump allocator over fixed blocks: records never move, so table entries can point at them.
class KeyArena {
public:
    static constexpr size_t kBlockSize = size_t{1} << 20;

    // Appends a record and returns it; the last append can be taken back with undo_last().
    KeyRecord append(std::string_view key) {
        if (key.size() > UINT32_MAX) throw std::length_error("a key longer than 4 GiB");
        size_t need = 4 + key.size();
        if (blocks_.empty() || used_ + need > capacity_) {
            size_t size = need > kBlockSize ? need : kBlockSize;
            blocks_.push_back(std::unique_ptr<uint8_t[]>(new uint8_t[size]));
            reserved_ += size;
            capacity_ = size;
            used_ = 0;
        }
        uint8_t * r = blocks_.back().get() + used_;
        uint32_t n = static_cast<uint32_t>(key.size());
        std::memcpy(r, &n, 4);
        if (n != 0) std::memcpy(r + 4, key.data(), n);
        used_ += need;
        last_ = need;
        return r;
    }

    void undo_last() {
        used_ -= last_;
        last_ = 0;
    }

    void clear() {
        blocks_.clear();
        used_ = capacity_ = reserved_ = last_ = 0;
    }

    size_t reserved_bytes() const { return reserved_; }

private:
    std::vector<std::unique_ptr<uint8_t[]>> blocks_;
    size_t used_ = 0;     // bytes used in the last block
    size_t capacity_ = 0; // size of the last block
    size_t reserved_ = 0; // bytes of all blocks
    size_t last_ = 0;     // size of the last append, for undo_last()
};

struct KeyHash {
    using is_transparent = void;
    using is_avalanching = void;
    uint64_t seed;
    size_t operator()(std::string_view key) const {
        return hash_bytes(reinterpret_cast<const uint8_t *>(key.data()), key.size(), seed);
    }
    size_t operator()(KeyRecord r) const { return (*this)(record_view(r)); }
};

struct KeyEqual {
    using is_transparent = void;
    bool operator()(KeyRecord a, KeyRecord b) const { return record_view(a) == record_view(b); }
    bool operator()(KeyRecord a, std::string_view b) const { return record_view(a) == b; }
    bool operator()(std::string_view a, KeyRecord b) const { return a == record_view(b); }
};

class StringSet {
public:
    explicit StringSet(size_t capacity = 0) : table_(capacity, KeyHash{random_seed()}) {}

    // Not thread-safe by themselves: callers hold lock() (shared for lookups, exclusive otherwise).
    bool contains(std::string_view key) const { return table_.find(key) != table_.end(); }

    // True if the key was new. One probe: the key is appended first and taken back if present.
    bool insert(std::string_view key) {
        KeyRecord r = arena_.append(key);
        if (table_.insert(r).second) {
            key_bytes_ += key.size();
            return true;
        }
        arena_.undo_last();
        return false;
    }

    bool remove(std::string_view key) {
        auto it = table_.find(key);
        if (it == table_.end()) return false;
        size_t n = record_length(*it);
        table_.erase(it);
        key_bytes_ -= n;
        garbage_bytes_ += 4 + n;
        if (garbage_bytes_ > KeyArena::kBlockSize && garbage_bytes_ > key_bytes_) compact();
        return true;
    }

    void clear() {
        table_.clear();
        arena_.clear();
        key_bytes_ = garbage_bytes_ = 0;
    }

    void reserve(size_t n) { table_.reserve(n); }
    size_t size() const { return table_.size(); }
    size_t key_bytes() const { return key_bytes_; }

    // Bytes held: the arena's blocks plus the table's slots and their one-byte-per-slot metadata.
    size_t memory_bytes() const {
        size_t slots = table_.bucket_count();
        return arena_.reserved_bytes() + slots * (sizeof(KeyRecord) + 1) + sizeof(*this);
    }

    template <typename Visit>
    void for_each(Visit && visit) const {
        for (KeyRecord r : table_) visit(record_view(r));
    }

    std::shared_mutex & lock() const { return mutex_; }

private:
    static uint64_t random_seed() {
        std::random_device device;
        return (uint64_t{device()} << 32) ^ device();
    }

    // Copies the live keys into a fresh arena once removed keys outweigh them.
    void compact() {
        KeyArena fresh;
        Table rebuilt(table_.size(), table_.hash_function());
        for (KeyRecord r : table_) rebuilt.insert(fresh.append(record_view(r)));
        table_.swap(rebuilt);
        std::swap(arena_, fresh);
        garbage_bytes_ = 0;
    }

    using Table = boost::unordered_flat_set<KeyRecord, KeyHash, KeyEqual>;
    KeyArena arena_;
    Table table_;
    size_t key_bytes_ = 0;
    size_t garbage_bytes_ = 0;
    mutable std::shared_mutex mutex_;
};

} // namespace chffi
