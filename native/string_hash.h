// A fast seeded hash for short strings (keys of a few to a few dozen bytes), built on the
// folded 64x64->128 multiply. Keys up to 16 bytes cost two loads and two multiplies; longer keys
// absorb 16 bytes per round. Its output is well mixed in every bit, so the hash table may use
// any bits of it directly (the table takes its low bits for the position).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace chffi {

inline uint64_t fold_multiply(uint64_t a, uint64_t b) {
    __uint128_t product = static_cast<__uint128_t>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t load_u64(const uint8_t * p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

inline uint64_t load_u32(const uint8_t * p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// Odd constants with well spread bits (digits of irrational numbers), one per role.
inline constexpr uint64_t kMixA = 0x9e3779b97f4a7c15ull;
inline constexpr uint64_t kMixB = 0xbf58476d1ce4e5b9ull;
inline constexpr uint64_t kMixC = 0x94d049bb133111ebull;
inline constexpr uint64_t kMixD = 0xd6e8feb86659fd93ull;

inline uint64_t hash_bytes(const uint8_t * p, size_t n, uint64_t seed) {
    uint64_t a = 0;
    uint64_t b = 0;
    uint64_t state = seed ^ kMixA;
    if (n <= 16) {
        if (n >= 8) {
            a = load_u64(p);
            b = load_u64(p + n - 8);
        } else if (n >= 4) {
            a = load_u32(p);
            b = load_u32(p + n - 4);
        } else if (n > 0) {
            a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
        }
    } else {
        size_t left = n;
        const uint8_t * q = p;
        while (left > 16) {
            state = fold_multiply(load_u64(q) ^ kMixB, load_u64(q + 8) ^ state);
            q += 16;
            left -= 16;
        }
        a = load_u64(p + n - 16);
        b = load_u64(p + n - 8);
    }
    // The length goes into the first multiply so that keys sharing bytes but not length differ.
    uint64_t h = fold_multiply(a ^ kMixB ^ (uint64_t{n} << 56), b ^ state ^ n);
    return fold_multiply(h ^ kMixC, seed ^ kMixD ^ (h >> 29));
}

} // namespace chffi
