// The object behind a chffi_hashset handle, shared by the set's ABI and the column kernels.
#pragma once

#include "hashset.h"

struct chffi_hashset {
    explicit chffi_hashset(size_t capacity) : set(capacity) {}
    chffi::StringSet set;
};
