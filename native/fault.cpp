// The switch of fault.h, exported for the tests.
#include "chdb_ffi.h"
#include "fault.h"

extern "C" CHFFI_API int32_t chffi_test_fail_at(int32_t n) {
    return static_cast<int32_t>(chffi::fault::countdown.exchange(n > 0 ? n : 0));
}
