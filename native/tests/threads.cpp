// The shim's thread check: built with ThreadSanitizer from the shim's own sources
// (scripts/native_checks.sh), no engine loaded. It drives every piece of the shim that runs on
// several threads from several threads at once: the worker lanes of Bun (async_worker.cpp), the
// blocking-call pool of Node (blocking_call.cpp), the parallel hash-filter kernels, the copies of
// registered Arrow tables and the Native decoder's result arena (result_arena.cpp). The calls
// the lanes and the pool run are real shim calls that fail fast without an engine (a query on a
// NULL connection, a NULL stream...), so the thread machinery and the out-parameters it hands
// between threads are exercised for real. TSan reports any data race or lock-order inversion.
//
//   threads CORPUS_DIR     (native/tests/corpus: the Native decoder's inputs)
//
// Prints one line per check and ends with "N passed, N failed"; exits non-zero on any failure
// (TSan itself exits with 66 on a report).
#include "checks.h"
#include "targets.h"

#include "../arrow_export.h"
#include "../chdb_ffi.h"
#include "../native_arrow.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using checks::run;

// Runs body(i) on n threads at once and waits for all of them.
void on_threads(int n, const std::function<void(int)> & body) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; i++) threads.emplace_back(body, i);
    for (std::thread & t : threads) t.join();
}

uint64_t word(const void * p) {
    return reinterpret_cast<uintptr_t>(p);
}

// A blocking queue that hands objects from producer threads to consumer threads.
template <typename T>
class Queue {
public:
    void push(T value) {
        std::lock_guard lock(mutex);
        items.push_back(std::move(value));
        changed.notify_one();
    }
    void close() {
        std::lock_guard lock(mutex);
        closed = true;
        changed.notify_all();
    }
    std::optional<T> pop() {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !items.empty() || closed; });
        if (items.empty()) return std::nullopt;
        T value = std::move(items.front());
        items.pop_front();
        return value;
    }

private:
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<T> items;
    bool closed = false;
};

// ---- calls run on other threads ----------------------------------------------------------------

// The arguments and out-parameters of one chffi_query on a NULL connection: it fails on the
// thread that runs it, writing its error there; the caller reads it after the completion.
struct QueryCall {
    chffi_result * result = reinterpret_cast<chffi_result *>(1); // must be overwritten with NULL
    chffi_result_info info{};
    chffi_error * error = nullptr;
    uint64_t args[10];
    QueryCall() {
        static const char sql[] = "SELECT 1", format[] = "CSV";
        const uint64_t a[10] = {0, word(sql), 8, word(format), 3, 0, 0, word(&result), word(&info), word(&error)};
        std::memcpy(args, a, sizeof(args));
    }
    // Checks what the call left behind (its status is `status`) and frees its error.
    void check(int32_t status) {
        CHECK(status == CHFFI_MISUSE && result == nullptr);
        CHECK(std::strcmp(chffi_error_message(error, nullptr), "libchdb is not loaded") == 0);
        chffi_error_free(error);
        error = nullptr;
    }
};

// What the workers' completion callback records (it has no context argument: a global).
struct Completions {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<int32_t> status;   // by tag
    std::vector<uint32_t> order;   // by tag: the completion's sequence number, 0 before it
    uint32_t count = 0;
    std::function<void(uint32_t)> during; // runs inside the callback; set while no worker exists

    void reset(size_t tags, std::function<void(uint32_t)> hook = nullptr) {
        std::lock_guard lock(mutex);
        status.assign(tags + 1, -1);
        order.assign(tags + 1, 0);
        count = 0;
        during = std::move(hook);
    }
    // Waits (up to a minute) until n calls have completed; true when they have.
    bool wait_for(uint32_t n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::minutes(1), [&] { return count >= n; });
    }
} completions;

void on_done(uint32_t tag, int32_t status) {
    if (completions.during) completions.during(tag);
    std::lock_guard lock(completions.mutex);
    CHECK(tag < completions.order.size() && completions.order[tag] == 0); // each call reports once
    completions.status[tag] = status;
    completions.order[tag] = ++completions.count;
    completions.changed.notify_all();
}

chffi_worker * new_worker() {
    chffi_worker * w = nullptr;
    CHECK(chffi_worker_new(on_done, &w) == CHFFI_OK && w != nullptr);
    return w;
}

// `hosts` threads each submit `per_host` queries, spread over `lanes` workers (host h's call k goes
// to lane (h + k) % lanes); every call must report once with its own error, and the calls of one
// host on one lane in the order submitted. The lanes are freed at the end, each on a thread.
void lanes_hammer(int lanes, int hosts, int per_host) {
    uint32_t total = static_cast<uint32_t>(hosts * per_host);
    completions.reset(total);
    std::vector<chffi_worker *> workers;
    for (int i = 0; i < lanes; i++) workers.push_back(new_worker());
    std::vector<QueryCall> calls(total);
    void * query = reinterpret_cast<void *>(&chffi_query);
    on_threads(hosts, [&](int h) {
        for (int k = 0; k < per_host; k++) {
            uint32_t tag = static_cast<uint32_t>(h * per_host + k + 1);
            chffi_worker * w = workers[static_cast<size_t>((h + k) % lanes)];
            CHECK(chffi_worker_submit(w, query, calls[tag - 1].args, 10, tag) == CHFFI_OK);
        }
    });
    CHECK(completions.wait_for(total));
    {
        std::lock_guard lock(completions.mutex);
        for (uint32_t tag = 1; tag <= total; tag++) calls[tag - 1].check(completions.status[tag]);
        for (int h = 0; h < hosts; h++)
            for (int k = lanes; k < per_host; k++) {
                uint32_t tag = static_cast<uint32_t>(h * per_host + k + 1);
                CHECK(completions.order[tag - lanes] < completions.order[tag]);
            }
    }
    on_threads(lanes, [&](int i) { chffi_worker_free(workers[static_cast<size_t>(i)]); });
}

void test_free_with_calls_queued() {
    constexpr uint32_t kCalls = 400;
    // The first call's callback dawdles, so that the rest are still queued when free starts.
    completions.reset(kCalls, [](uint32_t tag) {
        if (tag == 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    chffi_worker * w = new_worker();
    std::vector<QueryCall> calls(kCalls);
    for (uint32_t tag = 1; tag <= kCalls; tag++)
        CHECK(chffi_worker_submit(w, reinterpret_cast<void *>(&chffi_query), calls[tag - 1].args, 10, tag) == CHFFI_OK);
    chffi_worker_free(w);
    std::lock_guard lock(completions.mutex); // free has returned: every queued call has reported
    CHECK(completions.count == kCalls);
    for (uint32_t tag = 1; tag <= kCalls; tag++) calls[tag - 1].check(completions.status[tag]);
}

void test_free_during_callback() {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, released = false;
    bool finished = false; // written by the callback after it is released, read after free returns
    completions.reset(1, [&](uint32_t) {
        std::unique_lock lock(mutex);
        entered = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        finished = true;
    });
    chffi_worker * w = new_worker();
    QueryCall call;
    CHECK(chffi_worker_submit(w, reinterpret_cast<void *>(&chffi_query), call.args, 10, 1) == CHFFI_OK);
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return entered; });
    }
    std::atomic<bool> freed{false};
    std::thread freeing([&] {
        chffi_worker_free(w);
        freed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(!freed); // free waits for the callback that is running
    {
        std::lock_guard lock(mutex);
        released = true;
        changed.notify_all();
    }
    freeing.join();
    CHECK(finished);
    call.check(completions.status[1]);
    completions.reset(0); // the hook refers to this frame
}

// Each host thread runs `per_host` calls through chffi_call_blocking, cycling through calls that
// fail or succeed without an engine, each with out-parameters of its own.
void test_blocking_calls(int hosts, int per_host) {
    on_threads(hosts, [&](int h) {
        for (int k = 0; k < per_host; k++) {
            switch ((h + k) % 5) {
            case 0: {
                QueryCall call;
                call.check(chffi_call_blocking(reinterpret_cast<void *>(&chffi_query), call.args, 10));
                break;
            }
            case 1: {
                chffi_result * result = nullptr;
                chffi_result_info info;
                chffi_error * error = nullptr;
                uint64_t args[4] = {0, word(&result), word(&info), word(&error)};
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_stream_next), args, 4) == CHFFI_MISUSE);
                CHECK(result == nullptr && std::strstr(chffi_error_message(error, nullptr), "NULL stream") != nullptr);
                chffi_error_free(error);
                break;
            }
            case 2: {
                uint64_t args[1] = {0};
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_close), args, 1) == CHFFI_OK);
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_stream_cancel), args, 1) == CHFFI_OK);
                break;
            }
            case 3: {
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_release_path), nullptr, 0) == CHFFI_OK);
                static const char path[] = "/nonexistent/libchdb.so";
                chffi_error * error = nullptr;
                uint64_t args[3] = {word(path), sizeof(path) - 1, word(&error)};
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_load), args, 3) == CHFFI_LOAD_FAILED);
                CHECK(std::strstr(chffi_error_message(error, nullptr), "cannot open libchdb") != nullptr);
                chffi_error_free(error);
                break;
            }
            default: {
                // Not a runnable call, or the wrong arity: refused on the caller's thread.
                uint64_t args[2] = {0, 0};
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_hashset_new), args, 2) == CHFFI_MISUSE);
                CHECK(chffi_call_blocking(reinterpret_cast<void *>(&chffi_close), args, 2) == CHFFI_MISUSE);
            }
            }
        }
    });
}

// ---- the hash-filter kernels ------------------------------------------------------------------

// A Utf8 column of `rows` values name(i), null where i % 13 == 12, with its chunk descriptor
// and output bitmaps of its own.
struct Column {
    std::vector<uint8_t> validity, data, out_values, out_validity;
    std::vector<int32_t> offsets{0};
    std::vector<uint64_t> words = std::vector<uint64_t>(CHFFI_CHUNK_WORDS, 0);

    Column(size_t rows, const std::function<std::string(size_t)> & name) {
        validity.assign(rows / 8 + 1, 0);
        for (size_t i = 0; i < rows; i++) {
            if (i % 13 != 12) {
                validity[i / 8] |= uint8_t(1 << (i % 8));
                std::string v = name(i);
                data.insert(data.end(), v.begin(), v.end());
            }
            offsets.push_back(static_cast<int32_t>(data.size()));
        }
        words[0] = CHFFI_COLUMN_UTF8;
        words[1] = rows;
        words[2] = word(validity.data());
        words[4] = word(offsets.data());
        words[5] = word(data.data());
        words[6] = data.size();
    }
    // A descriptor of the same input with output bitmaps of the caller's.
    std::vector<uint64_t> with_outputs(std::vector<uint8_t> & values, std::vector<uint8_t> & valid) const {
        values.assign(validity.size(), 0);
        valid.assign(validity.size(), 0);
        std::vector<uint64_t> w = words;
        w[8] = word(values.data());
        w[9] = word(valid.data());
        return w;
    }
};

bool bit(const std::vector<uint8_t> & bits, size_t i) {
    return (bits[i / 8] >> (i % 8)) & 1;
}

// Lookups over one shared column on two threads (each split over the kernels' helper threads)
// while updates, a bulk not-in-and-update and single-key calls change the same set.
void test_kernels() {
    constexpr size_t kRows = 200000, kKeys = 10000;
    chffi_hashset * set = nullptr;
    CHECK(chffi_hashset_new(0, &set) == CHFFI_OK);
    for (size_t i = 0; i < kKeys; i++) {
        std::string k = "k" + std::to_string(i);
        int32_t inserted = 0;
        CHECK(chffi_hashset_insert(set, reinterpret_cast<const uint8_t *>(k.data()), k.size(), &inserted) == CHFFI_OK && inserted);
    }
    const Column probe(kRows, [](size_t i) { return "k" + std::to_string(i % (2 * kKeys)); });
    const Column fresh(kRows, [](size_t i) { return "u" + std::to_string(i); });
    const Column bulk(kRows, [](size_t i) { return "v" + std::to_string(i); });
    std::vector<uint8_t> values[2], valid[2], bulk_values, bulk_valid;
    const char * tmp = std::getenv("TMPDIR");
    const std::string file = std::string(tmp && *tmp ? tmp : "/tmp") + "/chffi-threads-" + std::to_string(::getpid()) + ".set";
    on_threads(5, [&](int t) {
        chffi_tests::ErrorSlot err;
        switch (t) {
        case 0:
        case 1: // isIn and notIn of the probe column: present keys are k0..k9999
            for (int round = 0; round < 2; round++) {
                std::vector<uint64_t> w = probe.with_outputs(values[t], valid[t]);
                int32_t op = t == 0 ? CHFFI_OP_IS_IN : CHFFI_OP_NOT_IN;
                CHECK(chffi_hashset_apply(set, op, w.data(), 1, err.out()) == CHFFI_OK);
            }
            break;
        case 2: {
            std::vector<uint64_t> w = fresh.words;
            CHECK(chffi_hashset_apply(set, CHFFI_OP_UPDATE, w.data(), 1, err.out()) == CHFFI_OK);
            break;
        }
        case 3: {
            std::vector<uint64_t> w = bulk.with_outputs(bulk_values, bulk_valid);
            CHECK(chffi_hashset_apply(set, CHFFI_OP_NOT_IN_AND_UPDATE, w.data(), 1, err.out()) == CHFFI_OK);
            break;
        }
        default:
            for (int i = 0; i < 2000; i++) {
                std::string k = "w" + std::to_string(i);
                const auto * p = reinterpret_cast<const uint8_t *>(k.data());
                int32_t r = 0;
                CHECK(chffi_hashset_insert(set, p, k.size(), &r) == CHFFI_OK && r);
                CHECK(chffi_hashset_contains(set, reinterpret_cast<const uint8_t *>("k5"), 2, &r) == CHFFI_OK && r);
                if (i % 2 == 0) CHECK(chffi_hashset_remove(set, p, k.size(), &r) == CHFFI_OK && r);
                if (i % 500 == 0) {
                    uint64_t stats[3];
                    CHECK(chffi_hashset_stats(set, stats) == CHFFI_OK);
                    chffi_bytes * bytes = nullptr;
                    uint64_t view[3];
                    CHECK(chffi_hashset_export(set, &bytes, view) == CHFFI_OK && view[2] >= kKeys);
                    chffi_bytes_free(bytes);
                    CHECK(chffi_hashset_save(set, file.data(), file.size(), err.out()) == CHFFI_OK);
                    chffi_hashset * loaded = nullptr;
                    CHECK(chffi_hashset_load(file.data(), file.size(), &loaded, err.out()) == CHFFI_OK);
                    CHECK(chffi_hashset_contains(loaded, reinterpret_cast<const uint8_t *>("k5"), 2, &r) == CHFFI_OK && r);
                    chffi_hashset_free(loaded);
                }
            }
        }
    });
    for (size_t i = 0; i < kRows; i++) {
        bool present = i % 13 != 12, in = i % (2 * kKeys) < kKeys;
        for (int t = 0; t < 2; t++) {
            CHECK(bit(valid[t], i) == present);
            if (present) CHECK(bit(values[t], i) == (t == 0 ? in : !in));
        }
        CHECK(bit(bulk_valid, i) == present && bit(bulk_values, i) == present);
    }
    uint64_t stats[3];
    uint64_t nulls = kRows / 13;
    CHECK(chffi_hashset_stats(set, stats) == CHFFI_OK && stats[0] == kKeys + 2 * (kRows - nulls) + 1000);
    chffi_hashset_free(set);
    ::unlink(file.c_str());
}

// ---- copies of Arrow tables and the result arena ------------------------------------------------

// The import layout of a table with one Int64 column "x" (strings "+slx"), one batch.
std::vector<uint64_t> int64_table(const int64_t * values, uint64_t rows) {
    std::vector<uint64_t> layout = {0, 2, 0, 0, 0, 1, 0, 2, 1, 3, 1, 0, 0, 0, 1, rows, 0, 0, 1};
    chffi_tests::push_buffer(layout, nullptr, 0);
    layout.insert(layout.end(), {1, 0, rows, 0, 0, 2});
    chffi_tests::push_buffer(layout, nullptr, 0);
    chffi_tests::push_buffer(layout, values, rows * 8);
    layout.insert(layout.end(), {0, 0});
    return layout;
}

// Threads copy one shared table (chffi_scan_new) while others free the copies: the regions of
// freed copies go back to the arena's cache on one thread and are reused on another.
void test_scan_copies() {
    std::vector<int64_t> values(100000);
    for (size_t i = 0; i < values.size(); i++) values[i] = static_cast<int64_t>(i);
    const std::vector<uint64_t> layout = int64_table(values.data(), values.size());
    static const uint8_t strings[] = {'+', 's', 'l', 'x'};
    Queue<chffi_scan *> copies;
    std::thread freers[2];
    for (std::thread & f : freers)
        f = std::thread([&] {
            while (std::optional<chffi_scan *> scan = copies.pop()) chffi_scan_free(*scan);
        });
    on_threads(4, [&](int) {
        chffi_tests::ErrorSlot err;
        for (int i = 0; i < 25; i++) {
#if CHFFI_SIZED_BUFFERS
            CHECK(chffi_arrow_validate(layout.data(), layout.size(), strings, sizeof(strings), err.out()) == CHFFI_OK);
#endif
            chffi_scan * scan = nullptr;
            CHECK(chffi_scan_new(layout.data(), layout.size(), strings, sizeof(strings), &scan, err.out()) == CHFFI_OK);
            copies.push(scan);
        }
    });
    copies.close();
    for (std::thread & f : freers) f.join();
}

std::string read_file(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Threads decode the same Native output (from the fuzz corpus: real engine output) into results
// of their own, each with its arena; other threads read every buffer and free them.
void test_native_results(const std::string & corpus) {
    std::vector<std::string> inputs;
    for (const char * name : {"blocks.bin", "nullable.bin"}) {
        std::string file = read_file(corpus + "/native_decode/" + name);
        CHECK(file.size() > 1 && (file[0] & 1) == 0); // byte 0: the target's mode, even for Native blocks
        if (file.size() > 1) inputs.push_back(file);
    }
    if (inputs.empty()) return;
    Queue<std::pair<size_t, chffi_arrow *>> results;
    std::vector<std::vector<uint64_t>> layouts(inputs.size());
    for (size_t i = 0; i < inputs.size(); i++) {
        chffi::NativeArrowDecoder decoder(false, false);
        chffi_arrow out;
        CHECK(decoder.decode(reinterpret_cast<const uint8_t *>(inputs[i].data()) + 1, inputs[i].size() - 1, out));
        chffi::flatten(out);
        layouts[i] = out.layout;
    }
    std::thread readers[2];
    for (std::thread & r : readers)
        r = std::thread([&] {
            while (auto result = results.pop()) {
                auto [input, arrow] = *result;
                chffi::flatten(*arrow);
                CHECK(arrow->layout.size() == layouts[input].size());
                // The first byte of every buffer, written by the decoding thread.
                uint8_t sum = 0;
                for (const ArrowArray & batch : arrow->batches)
                    for (int64_t c = 0; c < batch.n_children; c++)
                        for (int64_t b = 0; b < batch.children[c]->n_buffers; b++)
                            if (const void * p = batch.children[c]->buffers[b]; p != nullptr && batch.length > 0)
                                sum ^= *static_cast<const volatile uint8_t *>(p);
                (void)sum;
                chffi_arrow_free(arrow);
            }
        });
    on_threads(4, [&](int t) {
        for (int i = 0; i < 40; i++) {
            size_t input = static_cast<size_t>(t + i) % inputs.size();
            chffi::NativeArrowDecoder decoder(false, false);
            auto * arrow = new chffi_arrow();
            CHECK(decoder.decode(reinterpret_cast<const uint8_t *>(inputs[input].data()) + 1, inputs[input].size() - 1, *arrow));
            results.push({input, arrow});
        }
    });
    results.close();
    for (std::thread & r : readers) r.join();
}

} // namespace

int main(int argc, char ** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    run("threads: 4 host threads submit 2000 calls to one worker lane (each reports once, in order)", [] { lanes_hammer(1, 4, 500); });
    run("threads: 4 host threads submit 1800 calls spread over 3 lanes, then free the lanes at once", [] { lanes_hammer(3, 4, 450); });
    run("threads: chffi_worker_free with 400 calls queued runs and reports each before it returns", test_free_with_calls_queued);
    run("threads: chffi_worker_free during a completion callback waits for it", test_free_during_callback);
    run("threads: chffi_call_blocking from 6 host threads at once, 1800 calls", [] { test_blocking_calls(6, 300); });
    run("threads: hash-filter lookups on 2 threads (parallel kernels) during updates, single-key calls, save and load", test_kernels);
    run("threads: Arrow table copies made on 4 threads and freed on 2 others (the arena's region cache)", test_scan_copies);
    run("threads: Native results decoded on 4 threads, read and freed on 2 others", [&] { test_native_results(argv[1]); });
    return checks::summary("native threads");
}
