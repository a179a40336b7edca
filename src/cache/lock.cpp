#include "larder/cache/lock.hpp"

namespace larder::cache {

struct CoalescingTable::Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string_view, std::shared_ptr<Flight>>
        flights;  // keys view Flight::key_
};

CoalescingTable::CoalescingTable(unsigned shards) {
    for (unsigned i = 0; i < std::max(1u, shards); ++i)
        shards_.push_back(std::make_unique<Shard>());
}

CoalescingTable::~CoalescingTable() = default;

CoalescingTable::Shard& CoalescingTable::shard_for(std::string_view key) {
    return *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
}

std::size_t Flight::waiters() const {
    std::lock_guard lock(mu_);
    return callbacks_.size();
}

CoalescingTable::Ticket CoalescingTable::join(std::string_view key) {
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mu);
    if (auto it = s.flights.find(key); it != s.flights.end()) return {false, it->second};
    auto flight = std::make_shared<Flight>();
    flight->key_ = std::string(key);
    s.flights.emplace(flight->key_, flight);
    return {true, flight};
}

void CoalescingTable::wait(const std::shared_ptr<Flight>& flight, Flight::Callback callback) {
    std::unique_lock lock(flight->mu_);
    if (flight->done_) {
        ObjectPtr result = flight->result_;
        lock.unlock();
        callback(std::move(result));
        return;
    }
    flight->callbacks_.push_back(std::move(callback));
}

void CoalescingTable::complete(const std::shared_ptr<Flight>& flight, ObjectPtr result) {
    {
        Shard& s = shard_for(flight->key_);
        std::lock_guard lock(s.mu);
        auto it = s.flights.find(flight->key_);
        if (it != s.flights.end() && it->second == flight) s.flights.erase(it);
    }
    std::vector<Flight::Callback> callbacks;
    {
        std::lock_guard lock(flight->mu_);
        flight->done_ = true;
        flight->result_ = result;
        callbacks.swap(flight->callbacks_);
    }
    for (auto& cb : callbacks) cb(result);
}

std::size_t CoalescingTable::in_flight() const {
    std::size_t n = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s->mu);
        n += s->flights.size();
    }
    return n;
}

}  // namespace larder::cache
