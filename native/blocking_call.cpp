// chffi_call_blocking: runs one engine-entering call on a thread with an ordinary stack and
// blocks the caller until it returns. Hosts whose FFI runs every call on a stack of its own
// (koffi under Node) need it: ClickHouse compares the stack pointer with the calling thread's
// stack bounds and refuses to run ("Stack size too large") on a foreign stack.
#include "boundary.h"
#include "chdb_ffi.h"
#include "runnable.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace chffi {
namespace {

struct Call {
    Call(const Runnable * r, const Word * a) : runnable(r), args(a) {}
    const Runnable * runnable;
    const Word * args;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    int32_t status = CHFFI_INTERNAL;
};

// Threads that run calls; a call waits for an idle thread, and a new one is started when none is
// idle, so calls from several host threads (koffi's async pool) run in parallel. Threads stay
// for the life of the process (the pool is never destroyed: no thread may outlive its mutex).
class Pool {
public:
    void run(Call & call) {
        {
            std::lock_guard lock(mutex);
            queue.push_back(&call);
            if (queue.size() <= idle) {
                wake.notify_one();
            } else {
                try {
                    std::thread([this] { serve(); }).detach();
                } catch (...) {
                    queue.pop_back(); // nothing may keep the address of the caller's frame
                    throw;
                }
            }
        }
        std::unique_lock lock(call.mutex);
        call.finished.wait(lock, [&] { return call.done; });
    }

private:
    void serve() {
        std::unique_lock lock(mutex);
        for (;;) {
            while (queue.empty()) {
                ++idle;
                wake.wait(lock);
                --idle;
            }
            Call * call = queue.front();
            queue.pop_front();
            lock.unlock();
            int32_t status = guarded(nullptr, [&] { return chffi::run(*call->runnable, call->args); });
            {
                std::lock_guard done_lock(call->mutex);
                call->status = status;
                call->done = true;
                call->finished.notify_one();
            }
            lock.lock();
        }
    }

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Call *> queue;
    size_t idle = 0;
};

Pool & pool() {
    static Pool * instance = new Pool(); // leaked on purpose: detached threads wait on it until exit
    return *instance;
}

} // namespace
} // namespace chffi

extern "C" int32_t chffi_call_blocking(const void * fn, const uint64_t * args, uint32_t nargs) {
    return chffi::guarded(nullptr, [&] {
        const chffi::Runnable * runnable = chffi::find_runnable(fn, nargs);
        if (runnable == nullptr || (args == nullptr && nargs != 0))
            return static_cast<int32_t>(CHFFI_MISUSE);
        chffi::Call call(runnable, args);
        chffi::pool().run(call);
        return call.status;
    });
}
