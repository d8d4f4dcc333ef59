// Fault injection for the shim's own tests (tests/fault_injection.test.ts, native/tests/driver.cpp).
// Each allocation or engine call that can fail in real life is a "fault point". Once armed by
// chffi_test_fail_at(n), the n-th fault point reached fails once, as it would on a real failure:
// an allocation throws std::bad_alloc, an engine call returns its failure value (no result, no
// handle, a non-zero status), a file operation sets EIO. Disarmed (the default), a fault point is
// one relaxed atomic load.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <new>

namespace chffi::fault {

// Fault points still to pass before the one that fails; 0 when disarmed.
inline std::atomic<int64_t> countdown{0};

// True when this fault point is the one that must fail.
inline bool hit() {
    int64_t left = countdown.load(std::memory_order_relaxed);
    while (left > 0) {
        if (countdown.compare_exchange_weak(left, left - 1)) return left == 1;
    }
    return false;
}

// An allocation point: throws std::bad_alloc when it must fail.
inline void allocation() {
    if (hit()) throw std::bad_alloc();
}

} // namespace chffi::fault

// An engine call or system call that fails as `failed` (with errno EIO) when this point must fail.
#define CHFFI_FAULT_OR(failed, call) (::chffi::fault::hit() ? (errno = EIO, (failed)) : (call))
