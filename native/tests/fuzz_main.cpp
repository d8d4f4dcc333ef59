// A libFuzzer entry point for one target of targets.h, chosen at compile time with
// -DCHFFI_FUZZ_TARGET=<index into kTargets> (scripts/native_checks.sh builds one binary each).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    return chffi_tests::kTargets[CHFFI_FUZZ_TARGET].run(data, size);
}
