// See result_arena.h.
#include "result_arena.h"
#include "fault.h"

#include <sys/mman.h>

// Under AddressSanitizer (scripts/native_checks.sh) the arena tells it which bytes are handed out,
// so that a read past a decoded buffer, or of a freed result's region, is reported like a heap
// overflow or use-after-free; in other builds these are no-ops.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

#include <mutex>
#include <new>
#include <utility>

namespace chffi {
namespace {

constexpr size_t kLargestStep = size_t(64) << 20;

size_t round_up(size_t n, size_t to) {
    return (n + to - 1) / to * to;
}

// Address space for regions, carved in order out of large reservations so that every region
// (live, cached, emptied or quarantined) lies in one kernel mapping per reservation: regions are
// never unmapped (quarantined ones must stay mapped forever), and a mapping each would run into
// the kernel's limit on mappings per process (vm.max_map_count, 65530). MAP_NORESERVE: untouched
// address space costs no memory. Where the kernel refuses a reservation (strict overcommit,
// RLIMIT_AS), regions are mapped one by one.
class AddressSpace {
public:
    static constexpr size_t kReservation = size_t(16) << 30;

    // size bytes (a multiple of the page size) of address space never handed out before.
    uint8_t * carve(size_t size) {
        std::lock_guard lock(mutex);
        if (size <= kReservation / 4) {
            if (left < size && !reserve())
                return map_region(size);
            uint8_t * p = next;
            next += size;
            left -= size;
            return p;
        }
        return map_region(size);
    }

private:
    bool reserve() {
        void * p = mmap(nullptr, kReservation, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            return false;
        next = static_cast<uint8_t *>(p); // the old reservation's tail stays unused (never touched: free)
        left = kReservation;
        return true;
    }

    static uint8_t * map_region(size_t size) {
        void * p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            throw std::bad_alloc();
        return static_cast<uint8_t *>(p);
    }

    std::mutex mutex;
    uint8_t * next = nullptr;
    size_t left = 0;
};

// Regions of freed results kept for the next ones: up to kCachedBytes with their pages (a fresh
// 10M-row result is ~200 MB of memory never touched before, and faulting it in cost as much as
// the decoding), the rest emptied (MADV_DONTNEED: no memory) but kept for reuse, as regions are
// never unmapped. Region sizes come from one geometric series, so a repeated query finds its
// sizes here.
class RegionCache {
public:
    static constexpr size_t kCachedBytes = size_t(256) << 20;

    static RegionCache & instance() {
        static RegionCache * cache = new RegionCache(); // never destroyed: tables may outlive static destructors
        return *cache;
    }

    // A region of exactly size bytes: a cached one if there is one, else fresh address space.
    uint8_t * take(size_t size) {
        {
            std::lock_guard lock(mutex);
            if (uint8_t * base = take_from(warm, size)) {
                cached -= size;
                return base;
            }
            if (uint8_t * base = take_from(cold, size))
                return base;
        }
        return space.carve(size);
    }

    void give(uint8_t * base, size_t size) {
        std::lock_guard lock(mutex);
        if (cached + size <= kCachedBytes) {
            warm.emplace_back(base, size);
            cached += size;
            return;
        }
        madvise(base, size, MADV_DONTNEED);
        cold.emplace_back(base, size);
    }

private:
    using Regions = std::vector<std::pair<uint8_t *, size_t>>;

    static uint8_t * take_from(Regions & regions, size_t size) {
        for (size_t i = 0; i < regions.size(); ++i) {
            if (regions[i].second == size) {
                uint8_t * base = regions[i].first;
                regions[i] = regions.back();
                regions.pop_back();
                return base;
            }
        }
        return nullptr;
    }

    std::mutex mutex;
    Regions warm, cold;
    size_t cached = 0;
    AddressSpace space;
};

} // namespace

Arena::~Arena() {
    for (const Region & r : regions) {
        ASAN_POISON_MEMORY_REGION(r.base, r.size);
        if (quarantined)
            madvise(r.base, r.size, MADV_DONTNEED); // private anonymous pages: read back as zeros
        else
            RegionCache::instance().give(r.base, r.size);
    }
}

uint8_t * Arena::allocate(size_t n) {
    size_t asked = n;
    n = round_up(n == 0 ? 1 : n, 64);
    if (regions.empty() || regions.back().size - regions.back().used < n)
        add_region(n);
    Region & r = regions.back();
    uint8_t * p = r.base + r.used;
    r.used += n;
    ASAN_UNPOISON_MEMORY_REGION(p, asked);
    return p;
}

void Arena::shrink_latest(uint8_t * p, size_t allocated, size_t used) {
    Region & r = regions.back();
    size_t a = round_up(allocated == 0 ? 1 : allocated, 64), u = round_up(used == 0 ? 1 : used, 64);
    if (p + a == r.base + r.used)
        r.used -= a - u;
    ASAN_POISON_MEMORY_REGION(p + used, allocated - used);
}

void Arena::add_region(size_t at_least) {
    fault::allocation();
    size_t size = next_size;
    while (size < at_least)
        size *= 2;
    if (next_size < kLargestStep)
        next_size *= 2;
    uint8_t * base = RegionCache::instance().take(size);
    ASAN_POISON_MEMORY_REGION(base, size);
    regions.push_back(Region{base, size, 0});
}

} // namespace chffi
