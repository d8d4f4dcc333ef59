// Helpers for the C ABI boundary: C++ exceptions become status codes, messages go to caller buffers.
#pragma once

#include "chdb_ffi.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <string_view>

namespace chffi {

// Writes a NUL-terminated, possibly truncated message into a caller-owned buffer.
inline void write_message(char * buf, size_t cap, std::string_view message) {
    if (buf == nullptr || cap == 0)
        return;
    size_t n = message.size() < cap - 1 ? message.size() : cap - 1;
    std::memcpy(buf, message.data(), n);
    buf[n] = '\0';
}

// Runs body() and maps any escaping exception to a status, so none crosses the C ABI.
template <typename Body>
int32_t guarded(char * err, size_t err_cap, Body && body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        write_message(err, err_cap, "out of memory");
        return CHFFI_NO_MEMORY;
    } catch (const std::exception & e) {
        write_message(err, err_cap, e.what());
        return CHFFI_INTERNAL;
    } catch (...) {
        write_message(err, err_cap, "unknown C++ exception in chdb-ffi shim");
        return CHFFI_INTERNAL;
    }
}

} // namespace chffi
