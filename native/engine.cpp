// Loading libchdb: dlopen by absolute path, resolve the C API, disable the engine's signal handlers.
#include "engine.h"

#include "boundary.h"
#include "chdb_ffi.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

namespace chffi {
namespace {

std::mutex load_mutex;
std::string loaded_path;
EngineApi api;
void * library = nullptr;
std::atomic<const EngineApi *> loaded{nullptr};

// Deno dlcloses FFI libraries while its runtime tears down, before the C library runs the exit
// handlers; a destructor registered by a library that is no longer mapped then crashes the
// process after all output was printed. Pinning the shim keeps it mapped for the whole process.
__attribute__((constructor)) void pin_shim() {
    Dl_info self;
    if (dladdr(reinterpret_cast<void *>(&pin_shim), &self) != 0 && self.dli_fname != nullptr)
        dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

// Stops the engine at process exit: closes what is still open and joins the engine's threads
// before libchdb's own static destructors (registered earlier, so run later) tear it down.
void shutdown_at_exit() {
    chffi_shutdown();
}

template <typename Fn>
bool resolve(void * lib, const char * name, Fn & slot, std::string & missing) {
    slot = reinterpret_cast<Fn>(dlsym(lib, name));
    if (slot == nullptr)
        missing += missing.empty() ? name : std::string(", ") + name;
    return slot != nullptr;
}

int32_t load(const std::string & path, chffi_error ** out_error) {
    std::lock_guard lock(load_mutex);
    if (loaded.load() != nullptr) {
        if (path == loaded_path)
            return CHFFI_OK;
        return report(out_error, CHFFI_MISUSE, "libchdb is already loaded from " + loaded_path + "; cannot load a second engine from " + path);
    }
    // RTLD_LOCAL: the engine's own symbols never interpose on the host runtime's.
    void * lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        const char * why = dlerror();
        return chffi::report(out_error, CHFFI_LOAD_FAILED, "cannot open libchdb at " + path + ": " + (why ? why : "unknown dlopen error"));
    }
    std::string missing;
    resolve(lib, "chdb_version", api.version, missing);
    resolve(lib, "chdb_set_signal_handlers_enabled", api.set_signal_handlers_enabled, missing);
    resolve(lib, "chdb_connect", api.connect, missing);
    resolve(lib, "chdb_close_conn", api.close_conn, missing);
    resolve(lib, "chdb_query_n", api.query_n, missing);
    resolve(lib, "chdb_query_with_params_n", api.query_with_params_n, missing);
    resolve(lib, "chdb_destroy_query_result", api.destroy_result, missing);
    resolve(lib, "chdb_result_buffer", api.result_buffer, missing);
    resolve(lib, "chdb_result_length", api.result_length, missing);
    resolve(lib, "chdb_result_elapsed", api.result_elapsed, missing);
    resolve(lib, "chdb_result_rows_read", api.result_rows_read, missing);
    resolve(lib, "chdb_result_bytes_read", api.result_bytes_read, missing);
    resolve(lib, "chdb_result_storage_rows_read", api.result_storage_rows_read, missing);
    resolve(lib, "chdb_result_storage_bytes_read", api.result_storage_bytes_read, missing);
    resolve(lib, "chdb_result_rows_written", api.result_rows_written, missing);
    resolve(lib, "chdb_result_bytes_written", api.result_bytes_written, missing);
    resolve(lib, "chdb_result_error", api.result_error, missing);
    resolve(lib, "chdb_shutdown", api.shutdown, missing);
    std::string optional_missing; // the streaming and Arrow APIs: reported when used, not at load
    resolve(lib, "chdb_stream_query_n", api.stream_query_n, optional_missing);
    resolve(lib, "chdb_stream_query_with_params_n", api.stream_query_with_params_n, optional_missing);
    resolve(lib, "chdb_stream_fetch_result", api.stream_fetch_result, optional_missing);
    resolve(lib, "chdb_query_arrow_n", api.query_arrow_n, optional_missing);
    resolve(lib, "chdb_stream_query_arrow_n", api.stream_query_arrow_n, optional_missing);
    resolve(lib, "chdb_stream_query_arrow_with_params_n", api.stream_query_arrow_with_params_n, optional_missing);
    resolve(lib, "chdb_stream_fetch_arrow", api.stream_fetch_arrow, optional_missing);
    resolve(lib, "chdb_stream_cancel_query", api.stream_cancel_query, optional_missing);
    resolve(lib, "chdb_arrow_scan", api.arrow_scan, optional_missing);
    resolve(lib, "chdb_arrow_unregister_table", api.arrow_unregister_table, optional_missing);
    if (!missing.empty()) {
        // The library stays mapped: unloading a half-initialised engine is riskier than the leak.
        return chffi::report(out_error, CHFFI_LOAD_FAILED, "libchdb at " + path + " is too old: missing " + missing);
    }
    // Before the first connect: otherwise the engine owns SIGSEGV & co. for the whole process,
    // which turns a host runtime's recoverable traps (e.g. WebAssembly bounds checks) into crashes.
    api.set_signal_handlers_enabled(0);
    std::atexit(shutdown_at_exit);
    loaded_path = path;
    library = lib;
    loaded.store(&api);
    return CHFFI_OK;
}

} // namespace

const EngineApi * engine() {
    return loaded.load();
}

void * engine_symbol(const char * name) {
    return loaded.load() == nullptr ? nullptr : dlsym(library, name);
}

} // namespace chffi

extern "C" {

uint32_t chffi_abi_version(void) {
    return CHFFI_ABI_VERSION;
}

int32_t chffi_load(const char * lib_path, size_t lib_path_len, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        if (lib_path == nullptr || lib_path_len == 0)
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_load: empty library path");
        return chffi::load(std::string(lib_path, lib_path_len), out_error);
    });
}

const char * chffi_engine_version(void) {
    const chffi::EngineApi * e = chffi::engine();
    return e ? e->version() : nullptr;
}

} // extern "C"
