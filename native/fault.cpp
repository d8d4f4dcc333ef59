// The switch of fault.h, exported for the tests.
#include "chdb_ffi.h"
#include "fault.h"

extern "C" CHFFI_API int64_t chffi_test_fail_at(int64_t n) {
    return chffi::fault::countdown.exchange(n > 0 ? n : 0);
}
