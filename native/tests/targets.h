// The shim's fuzz targets: each takes arbitrary bytes, feeds them to one parser of untrusted
// input and checks what it can about the outcome. They never throw; a crash, a sanitizer report
// or a failed check (abort) is a bug. Shared by the libFuzzer binaries (fuzz_main.cpp) and the
// native test driver (driver.cpp), which replays the corpus and seeded mutations of it.
#pragma once

#include "../chdb_ffi.h"

#include <cstddef>
#include <cstdint>
#include <vector>

// Whether the Arrow import layout gives each buffer as (address, byte length) and the shim has
// chffi_arrow_validate (native/arrow_validate.h), or as an address alone.
#if __has_include("../arrow_validate.h")
#define CHFFI_SIZED_BUFFERS 1
#else
#define CHFFI_SIZED_BUFFERS 0
#endif

namespace chffi_tests {

// The out_error of the calls made with it: out() frees the previous error for the next call,
// text() is the message ("" when none); the last error is freed with the slot.
class ErrorSlot {
public:
    ErrorSlot() = default;
    ErrorSlot(const ErrorSlot &) = delete;
    ErrorSlot & operator=(const ErrorSlot &) = delete;
    ~ErrorSlot() { chffi_error_free(error_); }
    chffi_error ** out() {
        chffi_error_free(error_);
        error_ = nullptr;
        return &error_;
    }
    const char * text() const { return chffi_error_message(error_, nullptr); }

private:
    chffi_error * error_ = nullptr;
};

// Appends one buffer of an Arrow import layout in this shim's format.
inline void push_buffer(std::vector<uint64_t> & layout, const void * data, uint64_t size) {
    layout.push_back(reinterpret_cast<uintptr_t>(data));
    if (CHFFI_SIZED_BUFFERS) layout.push_back(size);
}

// A file handed to chffi_hashset_load(); a set that loads must survive save + load unchanged.
int hashset_load(const uint8_t * data, size_t size);
// Byte 0 picks: bit 0 = a DESCRIBE result (described_columns) instead of Native blocks
// (NativeArrowDecoder), bits 1-2 = the decoder's strings_as_binary / with_type_names. The rest
// is the engine's output. Decoded batches are checked against the Arrow rules.
int native_decode(const uint8_t * data, size_t size);
// Byte 0 even: a chffi_scan_new() layout as raw words: u16 word count, the words, then the
// strings buffer; words whose top 16 bits are 0xB0FF become addresses inside a 64 KiB buffer (the
// low 16 bits are the offset). Only with address-only layouts: a sized layout promises that every
// (address, length) is readable. Byte 0 odd: the rest drives a generator of well-formed layouts
// (random types, nesting, lengths, offsets, null counts, buffer sizes and contents, dictionaries)
// whose buffers are real memory; with chffi_arrow_validate, it and chffi_scan_new must agree.
int scan_layout(const uint8_t * data, size_t size);
// A string list as the ABI passes connection options and query parameters: decoding and
// re-encoding give back the same bytes, and parameters need name/value pairs.
int string_list(const uint8_t * data, size_t size);

struct Target {
    const char * name;
    int (*run)(const uint8_t *, size_t);
};
inline constexpr Target kTargets[] = {
    {"hashset_load", hashset_load},
    {"native_decode", native_decode},
    {"scan_layout", scan_layout},
    {"string_list", string_list},
};

} // namespace chffi_tests
