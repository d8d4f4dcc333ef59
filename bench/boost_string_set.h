// The candidate table the shim's set was measured against (bench/hashset_floor.cpp): a
// boost::unordered_flat_set (SIMD swiss-table family) of 8-byte pointers to length-prefixed keys
// in an arena, with the shim's seeded hash. Only the benchmark uses it.
#pragma once

#include "hashset.h"

#include <boost/unordered/unordered_flat_set.hpp>

namespace chffi_bench {

using chffi::KeyRecord;
using chffi::record_view;

struct KeyHash {
    using is_transparent = void;
    using is_avalanching = void;
    uint64_t seed;
    size_t operator()(std::string_view key) const {
        return chffi::hash_bytes(reinterpret_cast<const uint8_t *>(key.data()), key.size(), seed);
    }
    size_t operator()(KeyRecord r) const { return (*this)(record_view(r)); }
};

struct KeyEqual {
    using is_transparent = void;
    bool operator()(KeyRecord a, KeyRecord b) const { return record_view(a) == record_view(b); }
    bool operator()(KeyRecord a, std::string_view b) const { return record_view(a) == b; }
    bool operator()(std::string_view a, KeyRecord b) const { return a == record_view(b); }
};

class BoostStringSet {
public:
    BoostStringSet() : table_(0, KeyHash{0x5eed5eed5eed5eedull}) {}

    bool contains(std::string_view key) const { return table_.find(key) != table_.end(); }

    // One probe: the key is appended to the arena first (a rejected duplicate is left as garbage
    // here; the benchmark's sets only grow).
    bool insert(std::string_view key) {
        if (table_.find(key) != table_.end()) return false;
        table_.insert(arena_.append(key));
        return true;
    }

    size_t size() const { return table_.size(); }
    size_t memory_bytes() const { return arena_.reserved_bytes() + table_.bucket_count() * (sizeof(KeyRecord) + 1); }

private:
    chffi::KeyArena arena_;
    boost::unordered_flat_set<KeyRecord, KeyHash, KeyEqual> table_;
};

} // namespace chffi_bench
