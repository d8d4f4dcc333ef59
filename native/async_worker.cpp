// Worker threads that run the shim's blocking calls off the host's JS thread, for runtimes
// without nonblocking FFI calls (Bun). Each worker runs its calls one at a time, in order, and
// reports each completion through a callback the host makes thread-safe.
#include "boundary.h"
#include "chdb_ffi.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace chffi {
namespace {

using Word = uint64_t;
template <typename... Args>
int32_t invoke(const void * fn, Args... args) {
    return reinterpret_cast<int32_t (*)(Args...)>(const_cast<void *>(fn))(args...);
}

// The calls a worker may run: the shim's own exports whose arguments are all pointers or
// integers (one machine word each) and which return a chffi_status. Anything else is refused,
// so a wrong address from the host cannot make the worker jump somewhere arbitrary.
struct Runnable {
    const void * fn;
    uint32_t arity;
};

const Runnable runnables[] = {
    {reinterpret_cast<const void *>(&chffi_query), 9},
    {reinterpret_cast<const void *>(&chffi_query_arrow), 9},
    {reinterpret_cast<const void *>(&chffi_stream_open), 10},
    {reinterpret_cast<const void *>(&chffi_stream_next), 3},
    {reinterpret_cast<const void *>(&chffi_insert_append), 5},
    {reinterpret_cast<const void *>(&chffi_insert_done), 3},
};

int32_t call(const void * fn, const Word * a, uint32_t n) {
    // Casting the address back to its own arity: all arguments are word-sized integers or
    // pointers, which the platform ABI passes identically to uint64_t.
    switch (n) {
        case 3: return invoke(fn, a[0], a[1], a[2]);
        case 5: return invoke(fn, a[0], a[1], a[2], a[3], a[4]);
        case 9:
            return invoke(fn, 
                a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
        case 10:
            return invoke(fn, 
                a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
        default: return CHFFI_MISUSE;
    }
}

struct Job {
    const void * fn;
    uint32_t arity;
    Word args[10];
    uint32_t tag;
};

} // namespace
} // namespace chffi

struct chffi_worker {
    chffi_worker_done done;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<chffi::Job> jobs;
    bool stopping = false;
    std::thread thread;

    void run() {
        for (;;) {
            chffi::Job job;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return stopping || !jobs.empty(); });
                if (jobs.empty())
                    return; // stopping, and every submitted call has run
                job = jobs.front();
                jobs.pop_front();
            }
            int32_t status = chffi::call(job.fn, job.args, job.arity);
            done(job.tag, status);
        }
    }
};

extern "C" {

int32_t chffi_worker_new(chffi_worker_done done, chffi_worker ** out_worker) {
    return chffi::guarded(nullptr, 0, [&] {
        if (done == nullptr || out_worker == nullptr)
            return static_cast<int32_t>(CHFFI_MISUSE);
        *out_worker = nullptr;
        auto * worker = new chffi_worker();
        worker->done = done;
        try {
            worker->thread = std::thread([worker] { worker->run(); });
        } catch (...) {
            delete worker;
            throw;
        }
        *out_worker = worker;
        return static_cast<int32_t>(CHFFI_OK);
    });
}

int32_t chffi_worker_submit(chffi_worker * worker, const void * fn, const uint64_t * args, uint32_t nargs, uint32_t tag) {
    return chffi::guarded(nullptr, 0, [&] {
        if (worker == nullptr || (args == nullptr && nargs != 0))
            return static_cast<int32_t>(CHFFI_MISUSE);
        chffi::Job job{fn, nargs, {}, tag};
        bool known = false;
        for (const chffi::Runnable & r : chffi::runnables)
            known = known || (r.fn == fn && r.arity == nargs);
        if (!known)
            return static_cast<int32_t>(CHFFI_MISUSE);
        for (uint32_t i = 0; i < nargs; ++i)
            job.args[i] = args[i];
        std::lock_guard lock(worker->mutex);
        if (worker->stopping)
            return static_cast<int32_t>(CHFFI_MISUSE);
        worker->jobs.push_back(job);
        worker->wake.notify_one();
        return static_cast<int32_t>(CHFFI_OK);
    });
}

void chffi_worker_free(chffi_worker * worker) {
    if (worker == nullptr)
        return;
    {
        std::lock_guard lock(worker->mutex);
        worker->stopping = true;
    }
    worker->wake.notify_one();
    if (worker->thread.joinable())
        worker->thread.join();
    delete worker;
}

} // extern "C"
