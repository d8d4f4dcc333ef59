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

// Regions of freed results kept for the next ones, up to kCachedBytes: a fresh 10M-row result
// is ~200 MB of memory never touched before, and faulting it in cost as much as the decoding.
// Region sizes come from one geometric series, so a repeated query finds its sizes here.
class RegionCache {
public:
    static constexpr size_t kCachedBytes = size_t(256) << 20;

    static RegionCache & instance() {
        static RegionCache * cache = new RegionCache(); // never destroyed: tables may outlive static destructors
        return *cache;
    }

    // A cached region of exactly size bytes, or nullptr.
    uint8_t * take(size_t size) {
        std::lock_guard lock(mutex);
        for (size_t i = 0; i < regions.size(); ++i) {
            if (regions[i].second == size) {
                uint8_t * base = regions[i].first;
                regions[i] = regions.back();
                regions.pop_back();
                cached -= size;
                return base;
            }
        }
        return nullptr;
    }

    void give(uint8_t * base, size_t size) {
        {
            std::lock_guard lock(mutex);
            if (cached + size <= kCachedBytes) {
                regions.emplace_back(base, size);
                cached += size;
                return;
            }
        }
        munmap(base, size);
    }

private:
    std::mutex mutex;
    std::vector<std::pair<uint8_t *, size_t>> regions;
    size_t cached = 0;
};

uint8_t * map_region(size_t size) {
    void * p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    return static_cast<uint8_t *>(p);
}

} // namespace

Arena::~Arena() {
    for (const Region & r : regions) {
        ASAN_POISON_MEMORY_REGION(r.base, r.size);
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
    if (base == nullptr)
        base = map_region(size);
    ASAN_POISON_MEMORY_REGION(base, size);
    regions.push_back(Region{base, size, 0});
}

} // namespace chffi
