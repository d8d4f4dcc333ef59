// Helpers for the C ABI boundary: C++ exceptions become status codes, messages become chffi_errors.
#pragma once

#include "chdb_ffi.h"

#include <new>
#include <string>
#include <string_view>

// A failed call's message (chdb_ffi.h, "The one error channel").
struct chffi_error {
    std::string message;
};

namespace chffi {

// Hands a failed call's message to its caller through out_error (when it asked for one); returns
// status. Allocation failure leaves *out_error NULL: the status still tells.
int32_t report(chffi_error ** out_error, int32_t status, std::string_view message) noexcept;

// Runs body() with *out_error cleared first and maps any escaping exception to a status (and its
// message), so none crosses the C ABI.
template <typename Body>
int32_t guarded(chffi_error ** out_error, Body && body) noexcept {
    if (out_error != nullptr)
        *out_error = nullptr;
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return report(out_error, CHFFI_NO_MEMORY, "out of memory");
    } catch (const std::exception & e) {
        return report(out_error, CHFFI_INTERNAL, e.what());
    } catch (...) {
        return report(out_error, CHFFI_INTERNAL, "unknown C++ exception in chdb-ffi shim");
    }
}

} // namespace chffi
