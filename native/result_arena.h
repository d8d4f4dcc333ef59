// Memory for the Arrow buffers the shim builds (native_arrow.cpp) and for the copies of registered
// JS tables (arrow_scan.cpp): bump allocation in regions that grow with the result, and regions of
// freed results kept for the next ones; regions are never unmapped, and those of quarantined
// results never reused (see quarantine()). (Transparent
// huge pages were tried: a process's first large result then took 0.7-3x as long, from the
// kernel compacting memory, and later ones gained nothing once regions are reused.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chffi {

class Arena {
public:
    Arena() = default;
    Arena(const Arena &) = delete;
    Arena & operator=(const Arena &) = delete;
    ~Arena();

    // n bytes, 64-byte aligned, uninitialised.
    uint8_t * allocate(size_t n);

    // Gives back the unused tail of the latest allocation p (allocated with `allocated` bytes).
    void shrink_latest(uint8_t * p, size_t allocated, size_t used);

    // When the arena goes, its regions are emptied but stay mapped, never reused or unmapped:
    // a JS buffer that was moved off a zero-copy view (ArrayBuffer.prototype.transfer) may still
    // point into them, and must never see other data or unmapped pages. Its pages read zeros and
    // take no memory (MADV_DONTNEED) until written; only the address range stays reserved.
    void quarantine() { quarantined = true; }

private:
    struct Region {
        uint8_t * base;
        size_t size;
        size_t used;
    };
    void add_region(size_t at_least);

    std::vector<Region> regions;
    size_t next_size = size_t(256) << 10;
    bool quarantined = false;
};

} // namespace chffi
