// The table of runnable calls (runnable.h) and the trampoline that calls one with word arguments.
#include "runnable.h"

#include "chdb_ffi.h"

#include <utility>

namespace chffi {
namespace {

// Every call that enters the engine (ClickHouse checks the stack pointer against the thread's
// stack bounds, so hosts that run FFI calls on a stack of their own must route these through
// chffi_call_blocking), plus the calls Bun's worker runs off its JS thread.
const Runnable runnables[] = {
    {reinterpret_cast<const void *>(&chffi_load), 4, false},
    {reinterpret_cast<const void *>(&chffi_connect), 7, false},
    {reinterpret_cast<const void *>(&chffi_close), 1, false},
    {reinterpret_cast<const void *>(&chffi_shutdown), 0, false},
    {reinterpret_cast<const void *>(&chffi_query), 9, false},
    {reinterpret_cast<const void *>(&chffi_query_arrow), 9, false},
    {reinterpret_cast<const void *>(&chffi_stream_arrow_open), 9, false},
    {reinterpret_cast<const void *>(&chffi_stream_arrow_next), 4, false},
    {reinterpret_cast<const void *>(&chffi_stream_arrow_free), 1, true},
    {reinterpret_cast<const void *>(&chffi_scan_register), 6, false},
    {reinterpret_cast<const void *>(&chffi_scan_unregister), 6, false},
    {reinterpret_cast<const void *>(&chffi_scan_free), 1, true},
    {reinterpret_cast<const void *>(&chffi_stream_open), 10, false},
    {reinterpret_cast<const void *>(&chffi_stream_next), 3, false},
    {reinterpret_cast<const void *>(&chffi_stream_cancel), 1, true},
    {reinterpret_cast<const void *>(&chffi_stream_free), 1, true},
    {reinterpret_cast<const void *>(&chffi_insert_open), 10, false},
    {reinterpret_cast<const void *>(&chffi_insert_append), 5, false},
    {reinterpret_cast<const void *>(&chffi_insert_done), 3, false},
    {reinterpret_cast<const void *>(&chffi_insert_cancel), 1, true},
    {reinterpret_cast<const void *>(&chffi_insert_free), 1, true},
    {reinterpret_cast<const void *>(&chffi_classify), 4, false},
};

template <Word>
using AsWord = Word;

// Casts the address back to a function of N word arguments: every argument is a word-sized
// integer or pointer, which the platform ABI passes identically to uint64_t.
template <typename R, size_t... I>
R call_words(const void * fn, const Word * a, std::index_sequence<I...>) {
    using Fn = R (*)(AsWord<I>...);
    return reinterpret_cast<Fn>(const_cast<void *>(fn))(a[I]...);
}

template <size_t N>
int32_t call_n(const Runnable & r, const Word * a) {
    if (r.returns_void) {
        call_words<void>(r.fn, a, std::make_index_sequence<N>{});
        return CHFFI_OK;
    }
    return call_words<int32_t>(r.fn, a, std::make_index_sequence<N>{});
}

} // namespace

const Runnable * find_runnable(const void * fn, uint32_t nargs) {
    for (const Runnable & r : runnables)
        if (r.fn == fn && r.arity == nargs)
            return &r;
    return nullptr;
}

int32_t run(const Runnable & r, const Word * a) {
    switch (r.arity) {
        case 0: return call_n<0>(r, a);
        case 1: return call_n<1>(r, a);
        case 3: return call_n<3>(r, a);
        case 4: return call_n<4>(r, a);
        case 5: return call_n<5>(r, a);
        case 6: return call_n<6>(r, a);
        case 7: return call_n<7>(r, a);
        case 9: return call_n<9>(r, a);
        case 10: return call_n<10>(r, a);
        default: return CHFFI_MISUSE;
    }
}

} // namespace chffi
