// Worker threads that run the shim's blocking calls off the host's JS thread, for runtimes
// without nonblocking FFI calls (Bun). Each worker runs its calls one at a time, in order, and
// reports each completion through a callback the host makes thread-safe.
#include "boundary.h"
#include "chdb_ffi.h"
#include "runnable.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace chffi {
namespace {

struct Job {
    const Runnable * runnable;
    Word args[max_runnable_args];
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
            int32_t status = chffi::guarded(nullptr, [&] { return chffi::run(*job.runnable, job.args); });
            done(job.tag, status);
        }
    }
};

extern "C" {

int32_t chffi_worker_new(chffi_worker_done done, chffi_worker ** out_worker) {
    return chffi::guarded(nullptr, [&] {
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
    return chffi::guarded(nullptr, [&] {
        if (worker == nullptr || (args == nullptr && nargs != 0))
            return static_cast<int32_t>(CHFFI_MISUSE);
        const chffi::Runnable * runnable = chffi::find_runnable(fn, nargs);
        if (runnable == nullptr)
            return static_cast<int32_t>(CHFFI_MISUSE);
        chffi::Job job{runnable, {}, tag};
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
