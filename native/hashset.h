// The string set behind StringHashSet: an open-addressing table (linear probing, power-of-two
// capacity, load factor <= 0.7) of 16-byte slots. A key of up to 15 bytes lives inside its slot,
// so a lookup touches one cache line and no other memory; a longer key's slot holds a pointer to
// its bytes in an append-only arena plus 56 bits of its hash. Lookups hash the caller's bytes in
// place and never allocate. The row loops prefetch the slots of rows a few positions ahead, which
// hides most of the memory latency of a table much larger than the caches. A readers-writer lock
// lets lookups run in parallel and updates alone.
#pragma once

#include "fault.h"
#include "string_hash.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <shared_mutex>
#include <stdexcept>
#include <string_view>
#include <sys/mman.h>
#include <utility>
#include <vector>

namespace chffi {

// A long key in the arena: a uint32 byte length followed by the bytes, unaligned.
using KeyRecord = const uint8_t *;

inline std::string_view record_view(KeyRecord r) {
    uint32_t n;
    std::memcpy(&n, r, 4);
    return {reinterpret_cast<const char *>(r) + 4, n};
}

// Bump allocator over 1 MiB blocks: records never move while the set lives.
class KeyArena {
public:
    static constexpr size_t kBlockSize = size_t{1} << 20;

    KeyRecord append(std::string_view key) {
        if (key.size() > UINT32_MAX) throw std::length_error("a key longer than 4 GiB");
        size_t need = 4 + key.size();
        if (blocks_.empty() || used_ + need > capacity_) {
            fault::allocation();
            size_t size = need > kBlockSize ? need : kBlockSize;
            blocks_.push_back(std::unique_ptr<uint8_t[]>(new uint8_t[size]));
            reserved_ += size;
            capacity_ = size;
            used_ = 0;
        }
        uint8_t * r = blocks_.back().get() + used_;
        uint32_t n = static_cast<uint32_t>(key.size());
        std::memcpy(r, &n, 4);
        std::memcpy(r + 4, key.data(), n);
        used_ += need;
        return r;
    }

    void clear() {
        blocks_.clear();
        used_ = capacity_ = reserved_ = 0;
    }

    size_t reserved_bytes() const { return reserved_; }

private:
    std::vector<std::unique_ptr<uint8_t[]>> blocks_;
    size_t used_ = 0;
    size_t capacity_ = 0;
    size_t reserved_ = 0;
};

// Zeroed memory for the slot array. Large tables get their own 2 MiB-aligned mapping marked for
// transparent huge pages: with 4 KiB pages every random probe of a table much larger than the
// caches would also miss the TLB.
class SlotMemory {
public:
    static constexpr size_t kHugePage = size_t{2} << 20;

    static void * allocate(size_t bytes) {
        fault::allocation();
        if (bytes < kHugePage) {
            void * p = std::calloc(1, bytes);
            if (p == nullptr) throw std::bad_alloc();
            return p;
        }
        size_t span = bytes + kHugePage;
        void * raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) throw std::bad_alloc();
        uintptr_t start = reinterpret_cast<uintptr_t>(raw);
        uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
        if (aligned > start) ::munmap(raw, aligned - start);
        size_t tail = (start + span) - (aligned + bytes);
        if (tail > 0) ::munmap(reinterpret_cast<void *>(aligned + bytes), tail);
        ::madvise(reinterpret_cast<void *>(aligned), bytes, MADV_HUGEPAGE);
        return reinterpret_cast<void *>(aligned);
    }

    static void release(void * p, size_t bytes) {
        if (p == nullptr) return;
        if (bytes < kHugePage) std::free(p);
        else ::munmap(p, bytes);
    }
};

// Slot bytes 0..14 hold an inline key (zero-padded) or, for a long key, the record pointer (0..7)
// and hash bits (8..14); byte 15 is the tag: 0 empty, 1..16 inline key of length tag - 1, 0xFF long.
struct Slot {
    uint64_t lo;
    uint64_t hi;
};

inline constexpr size_t kInlineMax = 15;
inline constexpr uint64_t kLongTag = uint64_t{0xFF} << 56;
inline constexpr uint64_t kHashBits = (uint64_t{1} << 56) - 1;

inline uint32_t slot_tag(const Slot & s) { return static_cast<uint32_t>(s.hi >> 56); }

// A key prepared for probing: its hash and the slot it would occupy (lo unknown for long keys).
struct Probe {
    std::string_view key;
    uint64_t hash;
    Slot slot;
};

class StringSet {
public:
    explicit StringSet(size_t capacity = 0) : seed_(random_seed()) { allocate(capacity_for(capacity)); }
    StringSet(const StringSet &) = delete;
    StringSet & operator=(const StringSet &) = delete;
    ~StringSet() { SlotMemory::release(slots_, (mask_ + 1) * sizeof(Slot)); }

    Probe prepare(std::string_view key) const {
        Probe p{key, hash_bytes(reinterpret_cast<const uint8_t *>(key.data()), key.size(), seed_), {0, 0}};
        if (key.size() <= kInlineMax) {
            uint8_t bytes[16] = {};
            if (!key.empty()) std::memcpy(bytes, key.data(), key.size()); // an empty key may have no address
            bytes[15] = static_cast<uint8_t>(key.size() + 1);
            std::memcpy(&p.slot, bytes, 16);
        } else {
            p.slot.hi = (p.hash & kHashBits) | kLongTag;
        }
        return p;
    }

    // A hint that `p` will be probed soon: loads its first slot's cache line.
    void prefetch(const Probe & p) const { __builtin_prefetch(&slots_[p.hash & mask_]); }

    // Not thread-safe by themselves: callers hold lock() (shared for lookups, exclusive otherwise).
    bool contains(const Probe & p) const { return find(p) != kNotFound; }
    bool contains(std::string_view key) const { return contains(prepare(key)); }

    // True if the key was new.
    bool insert(const Probe & p) {
        if ((size_ + 1) * 10 > (mask_ + 1) * 7) grow();
        size_t i = p.hash & mask_;
        for (;; i = (i + 1) & mask_) {
            const Slot & s = slots_[i];
            if (slot_tag(s) == 0) break;
            if (matches(s, p)) return false;
        }
        // The arena may throw: the slot is written only once the key has its record.
        Slot filled = p.slot;
        if (p.key.size() > kInlineMax) filled.lo = reinterpret_cast<uint64_t>(arena_.append(p.key));
        slots_[i] = filled;
        size_++;
        key_bytes_ += p.key.size();
        return true;
    }
    bool insert(std::string_view key) { return insert(prepare(key)); }

    bool remove(std::string_view key) {
        size_t i = find(prepare(key));
        if (i == kNotFound) return false;
        if (key.size() > kInlineMax) garbage_bytes_ += 4 + key.size();
        // Backward-shift deletion: later slots of the same probe run move up, so no tombstones.
        for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            if (slot_tag(slots_[j]) == 0) break;
            size_t home = home_of(slots_[j]);
            bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!between) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{0, 0};
        size_--;
        key_bytes_ -= key.size();
        if (garbage_bytes_ > KeyArena::kBlockSize && garbage_bytes_ > key_bytes_) {
            try {
                compact_arena();
            } catch (const std::bad_alloc &) {
                // Compaction only reclaims memory: without memory for it the set stays as it is.
            }
        }
        return true;
    }

    // The new table is allocated first: when that fails the set is left as it was.
    void clear() {
        size_t cap = capacity_for(0);
        Slot * fresh = static_cast<Slot *>(SlotMemory::allocate(cap * sizeof(Slot)));
        SlotMemory::release(slots_, (mask_ + 1) * sizeof(Slot));
        slots_ = fresh;
        mask_ = cap - 1;
        arena_.clear();
        size_ = key_bytes_ = garbage_bytes_ = 0;
    }

    size_t size() const { return size_; }
    size_t key_bytes() const { return key_bytes_; }

    // Bytes held: the slots and the arena's blocks.
    size_t memory_bytes() const { return (mask_ + 1) * sizeof(Slot) + arena_.reserved_bytes() + sizeof(*this); }

    template <typename Visit>
    void for_each(Visit && visit) const {
        for (size_t i = 0; i <= mask_; i++) {
            if (slot_tag(slots_[i]) != 0) visit(key_of(slots_[i]));
        }
    }

    std::shared_mutex & lock() const { return mutex_; }

private:
    static constexpr size_t kNotFound = ~size_t{0};

    static uint64_t random_seed() {
        std::random_device device;
        return (uint64_t{device()} << 32) ^ device();
    }

    static size_t capacity_for(size_t keys) {
        // More keys than any memory can hold would overflow the arithmetic below.
        if (keys > (size_t{1} << 56)) throw std::bad_alloc();
        size_t cap = 16;
        while (cap * 7 < keys * 10) cap *= 2;
        return cap;
    }

    void allocate(size_t cap) {
        slots_ = static_cast<Slot *>(SlotMemory::allocate(cap * sizeof(Slot)));
        mask_ = cap - 1;
    }

    std::string_view key_of(const Slot & s) const {
        uint32_t tag = slot_tag(s);
        if (tag == 0xFF) return record_view(reinterpret_cast<KeyRecord>(s.lo));
        return {reinterpret_cast<const char *>(&s), tag - 1};
    }

    bool matches(const Slot & s, const Probe & p) const {
        if (s.hi != p.slot.hi) return false;
        if (p.key.size() <= kInlineMax) return s.lo == p.slot.lo;
        return record_view(reinterpret_cast<KeyRecord>(s.lo)) == p.key;
    }

    size_t find(const Probe & p) const {
        for (size_t i = p.hash & mask_;; i = (i + 1) & mask_) {
            const Slot & s = slots_[i];
            if (slot_tag(s) == 0) return kNotFound;
            if (matches(s, p)) return i;
        }
    }

    // A slot's home position: inline keys are rehashed from the slot, long keys keep their hash bits.
    size_t home_of(const Slot & s) const {
        if (slot_tag(s) == 0xFF) return (s.hi & kHashBits) & mask_;
        std::string_view k = key_of(s);
        return hash_bytes(reinterpret_cast<const uint8_t *>(k.data()), k.size(), seed_) & mask_;
    }

    // Doubles the table. Destinations are random, so each is computed and prefetched a few
    // slots ahead of the write, like the row loops do for lookups.
    void grow() {
        Slot * old = slots_;
        size_t old_cap = mask_ + 1;
        allocate(old_cap * 2);
        constexpr size_t kAhead = 16;
        size_t home[kAhead];
        auto plan = [&](size_t i) {
            if (i < old_cap && slot_tag(old[i]) != 0) {
                home[i % kAhead] = home_of(old[i]);
                __builtin_prefetch(&slots_[home[i % kAhead]], 1);
            }
        };
        for (size_t i = 0; i < kAhead; i++) plan(i);
        for (size_t i = 0; i < old_cap; i++) {
            if (slot_tag(old[i]) != 0) {
                size_t j = home[i % kAhead];
                while (slot_tag(slots_[j]) != 0) j = (j + 1) & mask_;
                slots_[j] = old[i];
            }
            plan(i + kAhead);
        }
        SlotMemory::release(old, old_cap * sizeof(Slot));
    }

    // Copies the live long keys into a fresh arena once removed keys outweigh them. All copies
    // are made before any slot changes, so a failed allocation leaves the set untouched.
    void compact_arena() {
        KeyArena fresh;
        std::vector<std::pair<size_t, uint64_t>> moved;
        for (size_t i = 0; i <= mask_; i++) {
            const Slot & s = slots_[i];
            if (slot_tag(s) == 0xFF) moved.emplace_back(i, reinterpret_cast<uint64_t>(fresh.append(record_view(reinterpret_cast<KeyRecord>(s.lo)))));
        }
        for (const auto & [i, record] : moved) slots_[i].lo = record;
        std::swap(arena_, fresh);
        garbage_bytes_ = 0;
    }

    uint64_t seed_;
    Slot * slots_ = nullptr;
    size_t mask_ = 0;
    size_t size_ = 0;
    KeyArena arena_;
    size_t key_bytes_ = 0;
    size_t garbage_bytes_ = 0;
    mutable std::shared_mutex mutex_;
};

// How far ahead of the row being decided the row loops hash rows and prefetch their slots.
inline constexpr uint64_t kLookahead = 16;

// Calls emit(present, present && decide(probe)) for rows 0..n-1 in order, where get(i, value)
// says whether row i has a value. Rows are hashed kLookahead rows early and their first slot
// prefetched, so that up to kLookahead cache misses are in flight at once. decide may insert:
// a stale prefetch after the table grew is only a wasted hint.
template <typename Get, typename Decide, typename Emit>
void pipelined_rows(const StringSet & set, uint64_t n, Get && get, Decide && decide, Emit && emit) {
    struct Pending {
        Probe probe;
        bool present;
    };
    Pending ring[kLookahead];
    auto load = [&](uint64_t i, Pending & p) {
        std::string_view v;
        p.present = get(i, v);
        if (p.present) {
            p.probe = set.prepare(v);
            set.prefetch(p.probe);
        }
    };
    for (uint64_t i = 0; i < n && i < kLookahead; i++) load(i, ring[i]);
    for (uint64_t i = 0; i < n; i++) {
        Pending & p = ring[i % kLookahead];
        bool present = p.present;
        emit(present, present && decide(p.probe));
        if (i + kLookahead < n) load(i + kLookahead, p);
    }
}

} // namespace chffi
