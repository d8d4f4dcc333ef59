// See targets.h.
#include "targets.h"

#include "../arrow_export.h"
#include "../chdb_ffi.h"
#include "../connection.h"
#include "../native_arrow.h"
#include "../string_list.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace chffi_tests {
namespace {

[[noreturn]] void fail(const char * what) {
    std::fprintf(stderr, "fuzz target check failed: %s\n", what);
    std::abort();
}
#define EXPECT(cond) ((cond) ? void(0) : fail(#cond))

// A path of this process's own for the file under test.
const std::string & scratch_path(const char * suffix) {
    static std::string dir = [] {
        const char * t = std::getenv("TMPDIR");
        return std::string(t && *t ? t : "/tmp") + "/chffi-fuzz-" + std::to_string(::getpid());
    }();
    static std::string paths[2] = {dir + "-a.set", dir + "-b.set"};
    return paths[std::strcmp(suffix, "a") == 0 ? 0 : 1];
}

void write_file(const std::string & path, const uint8_t * data, size_t size) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT(fd >= 0);
    size_t done = 0;
    while (done < size) {
        ssize_t w = ::write(fd, data + done, size - done);
        EXPECT(w > 0);
        done += static_cast<size_t>(w);
    }
    ::close(fd);
}

// Reads every byte of [p, p + n): the sanitizers report any part that is not valid memory.
uint8_t touch(const void * p, size_t n) {
    const volatile uint8_t * b = static_cast<const uint8_t *>(p);
    uint8_t x = 0;
    for (size_t i = 0; i < n; ++i) x ^= b[i];
    return x;
}

// Bytes per value of a fixed-width Arrow format the decoder produces, 0 for bits, -1 for strings.
long width_of(std::string_view f) {
    if (f == "u" || f == "z") return -1;
    if (f == "b") return 0;
    if (f == "C" || f == "c") return 1;
    if (f == "S" || f == "s") return 2;
    if (f == "I" || f == "i" || f == "f" || f == "tdD") return 4;
    if (f == "L" || f == "l" || f == "g") return 8;
    if (f.substr(0, 2) == "w:") return std::atol(std::string(f.substr(2)).c_str());
    if (f.substr(0, 2) == "d:") return f.find(",256") != std::string_view::npos ? 32 : 16;
    fail("an Arrow format the decoder does not produce");
}

// The Arrow rules for one decoded batch: lengths agree with the schema, every buffer holds what
// its length says, string offsets start at 0 and never decrease.
void check_batch(const ArrowSchema & schema, const ArrowArray & batch, size_t input_size) {
    EXPECT(batch.release != nullptr && batch.n_children == schema.n_children && batch.length >= 0);
    for (int64_t c = 0; c < batch.n_children; ++c) {
        const ArrowArray & a = *batch.children[c];
        EXPECT(a.length == batch.length && a.offset == 0 && a.null_count >= 0 && a.null_count <= a.length);
        size_t rows = static_cast<size_t>(a.length);
        if (a.buffers[0] != nullptr) touch(a.buffers[0], (rows + 7) / 8);
        else EXPECT(a.null_count == 0);
        long width = width_of(schema.children[c]->format);
        if (width < 0) {
            EXPECT(a.n_buffers == 3);
            const int32_t * offsets = static_cast<const int32_t *>(a.buffers[1]);
            EXPECT(offsets[0] == 0);
            for (size_t i = 0; i < rows; ++i) EXPECT(offsets[i + 1] >= offsets[i]);
            EXPECT(static_cast<size_t>(offsets[rows]) <= input_size);
            touch(a.buffers[2], static_cast<size_t>(offsets[rows]));
        } else {
            EXPECT(a.n_buffers == 2);
            touch(a.buffers[1], width == 0 ? (rows + 7) / 8 : rows * static_cast<size_t>(width));
        }
    }
}

} // namespace

int hashset_load(const uint8_t * data, size_t size) {
    write_file(scratch_path("a"), data, size);
    const std::string & path = scratch_path("a");
    chffi_hashset * set = nullptr;
    char err[256];
    int32_t status = chffi_hashset_load(path.data(), path.size(), &set, err, sizeof err);
    EXPECT((status == CHFFI_OK) == (set != nullptr));
    if (status != CHFFI_OK) {
        EXPECT(status == CHFFI_CORRUPT || status == CHFFI_IO_ERROR || status == CHFFI_NO_MEMORY);
        return 0;
    }
    // A file that loads round-trips: save, load again, same keys.
    uint64_t stats[3];
    EXPECT(chffi_hashset_stats(set, stats) == CHFFI_OK);
    const std::string & copy = scratch_path("b");
    EXPECT(chffi_hashset_save(set, copy.data(), copy.size(), err, sizeof err) == CHFFI_OK);
    chffi_hashset * again = nullptr;
    EXPECT(chffi_hashset_load(copy.data(), copy.size(), &again, err, sizeof err) == CHFFI_OK);
    chffi_bytes * keys = nullptr;
    uint64_t view[3];
    EXPECT(chffi_hashset_export(set, &keys, view) == CHFFI_OK && view[2] == stats[0]);
    std::vector<std::string_view> list;
    EXPECT(chffi::decode_string_list(reinterpret_cast<const uint8_t *>(view[0]), view[1], list) && list.size() == stats[0]);
    for (std::string_view k : list) {
        int32_t found = 0;
        EXPECT(chffi_hashset_contains(again, reinterpret_cast<const uint8_t *>(k.data()), k.size(), &found) == CHFFI_OK && found);
    }
    chffi_bytes_free(keys);
    chffi_hashset_free(again);
    chffi_hashset_free(set);
    return 0;
}

int native_decode(const uint8_t * data, size_t size) {
    if (size == 0) return 0;
    uint8_t mode = data[0];
    // A copy of exactly the input's size, so that the sanitizers see any read past its end.
    std::vector<uint8_t> input(data + 1, data + size);
    const uint8_t * in = input.empty() ? nullptr : input.data();
    if (mode & 1) {
        try {
            auto columns = chffi::described_columns(in, input.size());
            (void)chffi::native_header(columns);
        } catch (const std::runtime_error &) {
        }
        return 0;
    }
    chffi::NativeArrowDecoder decoder((mode & 2) != 0, (mode & 4) != 0);
    chffi_arrow out;
    try {
        if (!decoder.decode(in, input.size(), out)) {
            EXPECT(out.schema.release == nullptr && out.batches.empty());
            return 0;
        }
    } catch (const std::runtime_error &) {
        return 0;
    } catch (const std::bad_alloc &) {
        return 0;
    }
    EXPECT(out.schema.release != nullptr || input.empty());
    for (const ArrowArray & batch : out.batches) check_batch(out.schema, batch, input.size());
    chffi::flatten(out);
    return 0;
}

int scan_layout(const uint8_t * data, size_t size) {
    if (size < 2) return 0;
    size_t words = static_cast<size_t>(data[0]) | static_cast<size_t>(data[1]) << 8;
    if (2 + words * 8 > size) return 0;
    static std::vector<uint8_t> pool(1 << 16);
    std::vector<uint64_t> layout(words);
    if (words > 0) std::memcpy(layout.data(), data + 2, words * 8);
    for (uint64_t & w : layout) {
        if ((w >> 48) == 0xB0FF) w = reinterpret_cast<uintptr_t>(pool.data() + (w & 0xFFFF));
    }
    std::vector<uint8_t> strings(data + 2 + words * 8, data + size);
    chffi_scan * scan = nullptr;
    char err[256];
    int32_t status = chffi_scan_new(layout.data(), layout.size(), strings.empty() ? nullptr : strings.data(), strings.size(), &scan,
        err, sizeof err);
    EXPECT((status == CHFFI_OK) == (scan != nullptr));
    EXPECT(status == CHFFI_OK || status == CHFFI_MISUSE || status == CHFFI_NO_MEMORY);
    chffi_scan_free(scan);
    return 0;
}

int string_list(const uint8_t * data, size_t size) {
    std::vector<uint8_t> input(data, data + size);
    std::vector<std::string_view> list;
    bool ok = chffi::decode_string_list(input.data(), input.size(), list);
    chffi::Params params;
    bool params_ok = params.decode(input.data(), input.size());
    EXPECT(params_ok == (ok && list.size() % 2 == 0));
    if (!ok) return 0;
    std::vector<uint8_t> again;
    for (std::string_view s : list) {
        uint32_t n = static_cast<uint32_t>(s.size());
        again.insert(again.end(), reinterpret_cast<uint8_t *>(&n), reinterpret_cast<uint8_t *>(&n) + 4);
        again.insert(again.end(), s.begin(), s.end());
    }
    EXPECT(again == input);
    if (params_ok) {
        EXPECT(params.size() * 2 == list.size());
        for (size_t i = 0; i < params.size(); ++i)
            EXPECT(std::string_view(params.names[i], params.name_lens[i]) == list[2 * i]
                && std::string_view(params.values[i], params.value_lens[i]) == list[2 * i + 1]);
    }
    return 0;
}

} // namespace chffi_tests
