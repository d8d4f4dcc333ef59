// The test drivers' checks (driver.cpp, threads.cpp): CHECK records a failed condition (from any
// thread of the check), run() prints one `ok` or `FAIL` line per check, which
// scripts/native_checks.sh counts, and summary() prints the total and gives the exit status.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>

namespace checks {

inline int passed = 0;
inline int failed = 0;
inline std::atomic<bool> current_failed{false};

inline void run(const char * name, const std::function<void()> & body) {
    current_failed = false;
    body();
    std::printf("%s %s\n", current_failed ? "FAIL" : "ok  ", name);
    std::fflush(stdout);
    (current_failed ? failed : passed)++;
}

// Prints "<what>: N passed, N failed"; the driver's exit status.
inline int summary(const char * what) {
    std::printf("%s: %d passed, %d failed\n", what, passed, failed);
    return failed == 0 ? 0 : 1;
}

} // namespace checks

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::printf("  check failed at %s:%d: %s\n", __FILE_NAME__, __LINE__, #cond); \
            checks::current_failed = true;                                               \
        }                                                                                \
    } while (0)
