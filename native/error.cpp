// The one error channel of the C ABI (chdb_ffi.h): chffi_error objects.
#include "boundary.h"

#include <cstring>

namespace chffi {

int32_t report(chffi_error ** out_error, int32_t status, std::string_view message) noexcept {
    if (out_error == nullptr)
        return status;
    try {
        *out_error = new chffi_error{std::string(message)};
    } catch (...) {
        *out_error = nullptr;
    }
    return status;
}

} // namespace chffi

extern "C" {

const char * chffi_error_message(const chffi_error * error, uint64_t * out_len) {
    if (out_len != nullptr)
        *out_len = error == nullptr ? 0 : error->message.size();
    return error == nullptr ? "" : error->message.c_str();
}

void chffi_error_free(chffi_error * error) {
    delete error;
}

} // extern "C"
