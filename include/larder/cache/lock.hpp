// cache::CoalescingTable: request coalescing. While one request (the leader) fetches a key from
// the app, every other request for that key, from any worker thread, waits for its result
// instead of reaching the app too.
//
// join() makes the caller the leader (it must call complete() exactly once, whatever happens) or
// a follower holding the same Flight. A follower registers one callback with wait(); complete()
// runs every callback on the leader's thread with the stored object, or with nullptr when the
// response could not be shared (then followers fetch on their own at once). Callbacks must only
// hand the result over (post to their own thread), never block. The table holds a flight only
// while it is in progress, so its size is the number of keys being fetched right now.
// Plain C++: no Asio here; the proxy turns callbacks into wake-ups.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/cache/object.hpp"

namespace larder::cache {

class Flight {
  public:
    using Callback = std::function<void(ObjectPtr)>;
    const std::string& key() const { return key_; }
    std::size_t waiters() const;

  private:
    friend class CoalescingTable;
    std::string key_;
    mutable std::mutex mu_;
    bool done_ = false;
    ObjectPtr result_;
    std::vector<Callback> callbacks_;
};

class CoalescingTable {
  public:
    struct Ticket {
        bool leader = false;
        std::shared_ptr<Flight> flight;
    };

    explicit CoalescingTable(unsigned shards = 16);
    ~CoalescingTable();

    Ticket join(std::string_view key);
    // Calls `callback` once with the flight's result: now, if it is already complete.
    void wait(const std::shared_ptr<Flight>& flight, Flight::Callback callback);
    // Ends the flight: removes it from the table and runs every waiter's callback.
    void complete(const std::shared_ptr<Flight>& flight, ObjectPtr result);
    std::size_t in_flight() const;

  private:
    struct Shard;
    Shard& shard_for(std::string_view key);
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace larder::cache
