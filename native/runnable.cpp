// The table of runnable calls (runnable.h) and the trampoline that calls one with word arguments.
#include "runnable.h"

#include "chdb_ffi.h"

#include <type_traits>
#include <utility>

namespace chffi {
namespace {

// The entry for a call: its arity and return type come from its declaration in chdb_ffi.h, so
// they cannot drift from it.
template <typename R, typename... Args>
Runnable entry(R (*fn)(Args...)) {
    static_assert(sizeof...(Args) <= max_runnable_args, "raise max_runnable_args");
    static_assert(std::is_void_v<R> || std::is_same_v<R, int32_t>, "a runnable call returns a chffi_status or nothing");
    static_assert(((std::is_pointer_v<Args> || std::is_integral_v<Args>) && ...), "every argument must be one word");
    return {reinterpret_cast<const void *>(fn), static_cast<uint32_t>(sizeof...(Args)), std::is_void_v<R>};
}

// Every call that enters the engine (ClickHouse checks the stack pointer against the thread's
// stack bounds, so hosts that run FFI calls on a stack of their own must route these through
// chffi_call_blocking), plus the calls Bun's worker runs off its JS thread.
const Runnable runnables[] = {
    entry(&chffi_load),
    entry(&chffi_connect),
    entry(&chffi_close),
    entry(&chffi_shutdown),
    entry(&chffi_release_path),
    entry(&chffi_query),
    entry(&chffi_query_arrow),
    entry(&chffi_stream_arrow_open),
    entry(&chffi_stream_arrow_next),
    entry(&chffi_stream_arrow_free),
    entry(&chffi_scan_register),
    entry(&chffi_scan_unregister),
    entry(&chffi_scan_free),
    entry(&chffi_stream_open),
    entry(&chffi_stream_next),
    entry(&chffi_stream_cancel),
    entry(&chffi_stream_free),
    entry(&chffi_insert_open),
    entry(&chffi_insert_append),
    entry(&chffi_insert_done),
    entry(&chffi_insert_cancel),
    entry(&chffi_insert_free),
    entry(&chffi_classify),
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

// call_n<r.arity>: the one N in 0..max_runnable_args equal to it.
template <size_t... N>
int32_t dispatch(const Runnable & r, const Word * a, std::index_sequence<N...>) {
    int32_t status = CHFFI_MISUSE;
    (void)((r.arity == N && (status = call_n<N>(r, a), true)) || ...);
    return status;
}

} // namespace

const Runnable * find_runnable(const void * fn, uint32_t nargs) {
    for (const Runnable & r : runnables)
        if (r.fn == fn && r.arity == nargs)
            return &r;
    return nullptr;
}

int32_t run(const Runnable & r, const Word * a) {
    return dispatch(r, a, std::make_index_sequence<max_runnable_args + 1>{});
}

} // namespace chffi
