// The shim calls that may be run on a thread other than the caller's (async_worker.cpp,
// blocking_call.cpp). The host names a call by its address; only addresses in this table are
// accepted, so a wrong address from the host cannot make a thread jump somewhere arbitrary.
#pragma once

#include <cstdint>

namespace chffi {

using Word = uint64_t;

/** The most arguments a runnable call takes. */
constexpr uint32_t max_runnable_args = 11;

// A call whose arguments are all pointers or integers (one machine word each) and which returns
// a chffi_status or nothing (then it reports CHFFI_OK).
struct Runnable {
    const void * fn;
    uint32_t arity;
    bool returns_void;
};

/** The table entry for fn taking nargs arguments, or nullptr when it is not runnable. */
const Runnable * find_runnable(const void * fn, uint32_t nargs);

/** Calls r with its arguments as words. */
int32_t run(const Runnable & r, const Word * args);

} // namespace chffi
