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
#include <algorithm>
#include <fcntl.h>
#include <memory>
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
    ErrorSlot err;
    int32_t status = chffi_hashset_load(path.data(), path.size(), &set, err.out());
    EXPECT((status == CHFFI_OK) == (set != nullptr));
    if (status != CHFFI_OK) {
        EXPECT(status == CHFFI_CORRUPT || status == CHFFI_IO_ERROR || status == CHFFI_NO_MEMORY);
        return 0;
    }
    // A file that loads round-trips: save, load again, same keys.
    uint64_t stats[3];
    EXPECT(chffi_hashset_stats(set, stats) == CHFFI_OK);
    const std::string & copy = scratch_path("b");
    EXPECT(chffi_hashset_save(set, copy.data(), copy.size(), err.out()) == CHFFI_OK);
    chffi_hashset * again = nullptr;
    EXPECT(chffi_hashset_load(copy.data(), copy.size(), &again, err.out()) == CHFFI_OK);
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

namespace {

// Reads the fuzzer's bytes as choices; zeros once they run out.
struct Choices {
    const uint8_t * p;
    const uint8_t * end;
    uint8_t byte() { return p < end ? *p++ : 0; }
    uint32_t below(uint32_t n) { return n == 0 ? 0 : byte() % n; }
};

// Builds an import layout from choices: the schema, then the batches, with buffers that are real
// memory (kept in `memory`) of the sizes the layout gives.
struct LayoutBuilder {
    Choices in;
    std::vector<uint64_t> words;
    std::string strings;
    std::vector<std::vector<uint8_t>> memory;

    struct Type {
        std::string format;
        std::vector<Type> children;
        std::unique_ptr<Type> dictionary;
    };

    void text(const std::string & s) {
        words.push_back(strings.size());
        words.push_back(s.size());
        strings += s;
    }
    Type type(int depth) {
        static const char * leaves[] = {"l", "i", "s", "c", "C", "S", "I", "L", "g", "f", "b", "u", "z", "U", "Z", "w:3", "d:10,2",
            "d:40,3,256", "tdD", "tsu:", "tss:UTC", "n", "e"};
        static const char * nested[] = {"+s", "+l", "+L", "+w:2", "+m"};
        Type t;
        if (depth < 3 && in.below(4) == 0) {
            t.format = nested[in.below(5)];
            size_t n = t.format == "+s" ? in.below(4) : 1;
            if (t.format == "+m") { // a map: a list of (key, value) structs
                Type entries;
                entries.format = "+s";
                entries.children.push_back(type(depth + 2));
                entries.children.push_back(type(depth + 2));
                t.children.push_back(std::move(entries));
                return t;
            }
            for (size_t i = 0; i < n; i++) t.children.push_back(type(depth + 1));
        } else {
            t.format = leaves[in.below(sizeof leaves / sizeof *leaves)];
            if ((t.format == "c" || t.format == "i") && in.below(3) == 0) {
                t.dictionary = std::make_unique<Type>();
                t.dictionary->format = in.below(2) ? "u" : "l";
            }
        }
        return t;
    }
    void schema(const Type & t, int index) {
        text(t.format);
        text("c" + std::to_string(index));
        words.push_back(in.below(3) == 0 ? 0 : 2); // flags: nullable or not
        words.push_back(t.children.size());
        words.push_back(t.dictionary != nullptr);
        for (size_t i = 0; i < t.children.size(); i++) schema(t.children[i], static_cast<int>(i));
        if (t.dictionary) schema(*t.dictionary, 0);
    }
    // A buffer of a plausible size for `length` values (sometimes off by a little or a lot), whose
    // bytes come from the choices; offsets buffers get non-decreasing values now and then.
    void buffer(uint64_t length, uint32_t width, bool offsets) {
        uint32_t shape = in.below(8);
        if (shape == 0) {
            push_buffer(words, nullptr, 0);
            return;
        }
        uint64_t size = (length + 1) * width;
        if (shape == 1) size = in.below(64);
        else if (shape == 2 && size > 0) size -= 1 + in.below(static_cast<uint32_t>(std::min<uint64_t>(size, 16)));
        std::vector<uint8_t> bytes(size + (size == 0));
        if (offsets && in.below(2) && width >= 4) {
            uint64_t v = in.below(4);
            for (uint64_t i = 0; i + width <= size; i += width) {
                std::memcpy(&bytes[i], &v, width == 8 ? 8 : 4);
                v += in.below(6);
            }
        } else {
            for (auto & b : bytes) b = in.byte();
        }
        memory.push_back(std::move(bytes));
        push_buffer(words, memory.back().data(), size);
    }
    void array(const Type & t, uint64_t length) {
        uint64_t offset = in.below(5) == 0 ? in.below(4) : 0;
        words.push_back(length);
        words.push_back(in.below(4) == 0 ? in.below(8) : 0);
        words.push_back(offset);
        const std::string & f = t.format;
        bool var = f == "u" || f == "z" || f == "U" || f == "Z";
        bool list = f == "+l" || f == "+L" || f == "+m";
        uint32_t n = f == "n" ? 0 : var ? 3 : (f[0] == '+' && !list) ? 1 : 2;
        if (f == "+w:2") n = 1;
        if (in.below(16) == 0) n = in.below(5);
        words.push_back(n);
        uint64_t total = length + offset;
        uint32_t width = f == "l" || f == "L" || f == "g" || f == "U" || f == "Z" || f == "+L" || f == "tsu:" || f == "tss:UTC" ? 8
            : f == "s" || f == "S" ? 2 : f == "c" || f == "C" ? 1 : f == "w:3" ? 3 : f.rfind("d:", 0) == 0 ? (f.find(",256") != std::string::npos ? 32 : 16) : 4;
        for (uint32_t i = 0; i < n; i++) {
            if (i == 0) buffer((total + 7) / 8, 1, false);
            else buffer(total, i == 1 && (var || list) ? (f == "U" || f == "Z" || f == "+L" ? 8 : 4) : width, i == 1 && (var || list));
        }
        words.push_back(t.children.size());
        words.push_back(t.dictionary != nullptr);
        uint64_t child_length = f == "+w:2" ? total * 2 : list ? in.below(64) : total;
        for (const Type & c : t.children) array(c, child_length);
        if (t.dictionary) array(*t.dictionary, in.below(16));
    }
    void build() {
        Type top;
        top.format = "+s";
        size_t columns = 1 + in.below(4);
        for (size_t i = 0; i < columns; i++) top.children.push_back(type(1));
        schema(top, 0);
        size_t batches = in.below(3);
        words.push_back(batches);
        for (size_t b = 0; b < batches; b++) array(top, in.below(50));
    }
};

} // namespace

int scan_layout(const uint8_t * data, size_t size) {
    if (size < 1) return 0;
    ErrorSlot err;
    chffi_scan * scan = nullptr;
    if (data[0] & 1) {
        LayoutBuilder b{Choices{data + 1, data + size}, {}, {}, {}};
        b.build();
        const uint8_t * strings = reinterpret_cast<const uint8_t *>(b.strings.data());
        int32_t status = chffi_scan_new(b.words.data(), b.words.size(), strings, b.strings.size(), &scan, err.out());
        EXPECT((status == CHFFI_OK) == (scan != nullptr));
        EXPECT(status == CHFFI_OK || status == CHFFI_MISUSE || status == CHFFI_NO_MEMORY);
#if CHFFI_SIZED_BUFFERS
        int32_t checked = chffi_arrow_validate(b.words.data(), b.words.size(), strings, b.strings.size(), err.out());
        EXPECT(checked == CHFFI_OK || checked == CHFFI_MISUSE);
        if (status != CHFFI_NO_MEMORY) EXPECT((checked == CHFFI_OK) == (status == CHFFI_OK));
#endif
        chffi_scan_free(scan);
        return 0;
    }
    if (CHFFI_SIZED_BUFFERS || size < 3) return 0;
    data++;
    size--;
    size_t words = static_cast<size_t>(data[0]) | static_cast<size_t>(data[1]) << 8;
    if (2 + words * 8 > size) return 0;
    static std::vector<uint8_t> pool(1 << 16);
    std::vector<uint64_t> layout(words);
    if (words > 0) std::memcpy(layout.data(), data + 2, words * 8);
    for (uint64_t & w : layout) {
        if ((w >> 48) == 0xB0FF) w = reinterpret_cast<uintptr_t>(pool.data() + (w & 0xFFFF));
    }
    std::vector<uint8_t> strings(data + 2 + words * 8, data + size);
    int32_t status = chffi_scan_new(layout.data(), layout.size(), strings.empty() ? nullptr : strings.data(), strings.size(), &scan, err.out());
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
