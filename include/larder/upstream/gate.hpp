// upstream::ConnectionGate: at most max_connections requests in flight per server, summed over
// all workers, and a bounded FIFO of requests waiting for one to finish.
//
// The in-flight count is the server's atomic `active` counter in the HealthTable (least_conn
// reads it too). A server without a limit only counts. For a limited server, acquire is a CAS
// below the limit; release and enqueue take the server's mutex, and release hands its slot
// directly to the oldest waiter (the count does not drop), so a newcomer cannot take a slot a
// waiter was woken for and a wake-up is never lost. The waiter is woken through its `wake`
// callback (the Asio side posts a timer cancel to the waiter's own executor); whoever gives up
// waiting (timeout, cancelled request) calls finish_wait(), which says whether a slot was handed
// over meanwhile, so a slot is never leaked.
// The count and the queue are the server's BackendState's, so the requests of every
// generation that lists the server count together and queue in one line; the limit is each
// generation's own (a reload that changes max_connections applies it to the requests that
// start after it). A release in a generation without a limit still hands its slot to a waiter
// queued under an older generation's limit, so such a waiter is woken by the next release.
// Plain C++: no Asio here.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "larder/upstream/health.hpp"

namespace larder::upstream {

struct GateWaiter {
    std::size_t server = 0;
    std::function<void()> wake;  // called under the gate's lock: must only schedule work
    bool granted = false;        // guarded by the gate's lock
    bool queued = false;
};

class ConnectionGate {
  public:
    using Waiter = GateWaiter;
    enum class Enqueue { Acquired, Queued, Full };

    ConnectionGate(HealthTable& table, std::size_t queue_limit);

    bool try_acquire(std::size_t server);
    // Tries once more, then queues `w` unless the server's queue holds queue_limit waiters.
    Enqueue enqueue(const std::shared_ptr<Waiter>& w);
    // True when `w` now owns a slot (granted); otherwise takes it off the queue.
    bool finish_wait(Waiter& w);
    void release(std::size_t server);

    std::size_t waiting(std::size_t server) const;

  private:
    bool limited(std::size_t server) const { return table_.info(server).max_connections > 0; }
    WaitQueue& queue(std::size_t server) const { return table_.backend(server).queue; }

    HealthTable& table_;
    std::size_t queue_limit_;
};

}  // namespace larder::upstream
