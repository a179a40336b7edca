// Pipeline::FlightGuard: makes sure a coalescing leader completes its flight exactly once, on
// every path out of a fetch (success, refusal, upstream error, a client gone, a coroutine
// destroyed at shutdown): waiters are never left to run into their lock_timeout.
#pragma once

#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

class Pipeline::FlightGuard {
  public:
    FlightGuard(cache::CoalescingTable& table, std::shared_ptr<cache::Flight> flight)
        : table_(table), flight_(std::move(flight)) {}
    FlightGuard(const FlightGuard&) = delete;
    FlightGuard& operator=(const FlightGuard&) = delete;
    ~FlightGuard() { complete(nullptr); }

    // Hands `object` (or nullptr: "fetch on your own") to every waiter; later calls do nothing.
    void complete(cache::ObjectPtr object) {
        if (!flight_) return;
        auto flight = std::move(flight_);
        table_.complete(flight, std::move(object));
    }

  private:
    cache::CoalescingTable& table_;
    std::shared_ptr<cache::Flight> flight_;
};

}  // namespace larder::proxy
