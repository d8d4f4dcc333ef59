// The floor for bench/hashset_ops.ts: the same StringSet (native/hashset.h) driven by a plain C++
// loop over the same Arrow Utf8 buffers (read from the files the benchmark wrote), no FFI, no
// descriptors, no locks, one thread; and the same loop over the boost::unordered_flat_set
// candidate. Prints one JSON line per table of median milliseconds.
// Built by bench/hashset_ops.ts with zig (same target and flags as the shim).
#include "boost_string_set.h"
#include "hashset.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct Utf8Column {
    std::vector<int32_t> offsets;
    std::vector<uint8_t> data;
    size_t rows() const { return offsets.size() - 1; }
    std::string_view get(size_t i) const {
        return {reinterpret_cast<const char *>(data.data()) + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
    }
};

// File layout written by the benchmark: u64 rows, u64 data bytes, int32 offsets[rows + 1], data.
Utf8Column read_column(const char * path) {
    std::ifstream in(path, std::ios::binary);
    uint64_t rows = 0, bytes = 0;
    in.read(reinterpret_cast<char *>(&rows), 8);
    in.read(reinterpret_cast<char *>(&bytes), 8);
    Utf8Column c;
    c.offsets.resize(rows + 1);
    c.data.resize(bytes);
    in.read(reinterpret_cast<char *>(c.offsets.data()), static_cast<std::streamsize>((rows + 1) * 4));
    in.read(reinterpret_cast<char *>(c.data.data()), static_cast<std::streamsize>(bytes));
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        std::exit(1);
    }
    return c;
}

template <typename Body>
double median_ms(int rounds, Body && body) {
    std::vector<double> ms;
    for (int r = 0; r < rounds; r++) {
        auto start = std::chrono::steady_clock::now();
        body();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
}

template <typename Set>
void run(const char * name, const Utf8Column & column, const Utf8Column & keys, int rounds) {
    size_t n = column.rows();
    std::vector<uint8_t> bits((n + 7) / 8);
    Set prefilled;
    for (size_t i = 0; i < keys.rows(); i++) prefilled.insert(keys.get(i));
    size_t hits = 0;
    double is_in = median_ms(rounds, [&] {
        std::fill(bits.begin(), bits.end(), 0);
        for (size_t i = 0; i < n; i++) bits[i >> 3] |= static_cast<uint8_t>(prefilled.contains(column.get(i))) << (i & 7);
        hits = 0;
        for (uint8_t b : bits) hits += __builtin_popcount(b);
    });
    size_t firsts = 0, size = 0, memory = 0;
    double rowwise = median_ms(rounds, [&] {
        Set seen;
        std::fill(bits.begin(), bits.end(), 0);
        for (size_t i = 0; i < n; i++) bits[i >> 3] |= static_cast<uint8_t>(seen.insert(column.get(i))) << (i & 7);
        firsts = 0;
        for (uint8_t b : bits) firsts += __builtin_popcount(b);
        size = seen.size();
        memory = seen.memory_bytes();
    });
    std::printf("{\"table\":\"%s\",\"isInMs\":%.2f,\"rowwiseMs\":%.2f,\"hits\":%zu,\"firsts\":%zu,\"size\":%zu,\"memoryBytes\":%zu}\n",
        name, is_in, rowwise, hits, firsts, size, memory);
}

// The same table with the shim's prefetching row loop (chffi::pipelined_rows), one thread.
void run_pipelined(const Utf8Column & column, const Utf8Column & keys, int rounds) {
    size_t n = column.rows();
    std::vector<uint8_t> bits((n + 7) / 8);
    auto get = [&](uint64_t i, std::string_view & v) {
        v = column.get(i);
        return true;
    };
    chffi::StringSet prefilled;
    for (size_t i = 0; i < keys.rows(); i++) prefilled.insert(keys.get(i));
    size_t hits = 0;
    double is_in = median_ms(rounds, [&] {
        std::fill(bits.begin(), bits.end(), 0);
        size_t i = 0;
        chffi::pipelined_rows(prefilled, n, get, [&](const chffi::Probe & p) { return prefilled.contains(p); },
            [&](bool, bool r) { bits[i >> 3] |= static_cast<uint8_t>(r) << (i & 7); i++; });
        hits = 0;
        for (uint8_t b : bits) hits += __builtin_popcount(b);
    });
    size_t firsts = 0;
    double rowwise = median_ms(rounds, [&] {
        chffi::StringSet seen;
        std::fill(bits.begin(), bits.end(), 0);
        size_t i = 0;
        chffi::pipelined_rows(seen, n, get, [&](const chffi::Probe & p) { return seen.insert(p); },
            [&](bool, bool r) { bits[i >> 3] |= static_cast<uint8_t>(r) << (i & 7); i++; });
        firsts = 0;
        for (uint8_t b : bits) firsts += __builtin_popcount(b);
    });
    std::printf("{\"table\":\"ours-prefetch\",\"isInMs\":%.2f,\"rowwiseMs\":%.2f,\"hits\":%zu,\"firsts\":%zu}\n",
        is_in, rowwise, hits, firsts);
}

} // namespace

int main(int argc, char ** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: hashset_floor COLUMN_FILE SET_FILE ROUNDS\n");
        return 2;
    }
    Utf8Column column = read_column(argv[1]);
    Utf8Column keys = read_column(argv[2]);
    int rounds = std::stoi(argv[3]);

    run<chffi::StringSet>("ours", column, keys, rounds);
    run_pipelined(column, keys, rounds);
    run<chffi_bench::BoostStringSet>("boost", column, keys, rounds);
    return 0;
}
