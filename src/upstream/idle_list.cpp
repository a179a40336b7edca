#include "larder/upstream/idle_list.hpp"

#include <algorithm>

namespace larder::upstream {

IdleList::IdleList(std::shared_ptr<BackendState> server) : server_(std::move(server)) {}

IdleList::~IdleList() {
    count(-static_cast<int>(connections_.size()));
}

void IdleList::count(int delta) {
    auto& idle = server_->health.idle;
    if (delta >= 0)
        idle.fetch_add(static_cast<std::uint32_t>(delta), std::memory_order_relaxed);
    else
        idle.fetch_sub(static_cast<std::uint32_t>(-delta), std::memory_order_relaxed);
}

bool IdleList::push(std::unique_ptr<Connection> c) {
    if (retired_) return false;
    connections_.push_back(std::move(c));
    count(1);
    return true;
}

std::unique_ptr<Connection> IdleList::take_newest() {
    if (connections_.empty()) return nullptr;
    auto c = std::move(connections_.back());
    connections_.pop_back();
    count(-1);
    return c;
}

void IdleList::drop_oldest() {
    if (connections_.empty()) return;
    connections_.erase(connections_.begin());
    count(-1);
}

std::size_t IdleList::drop_if(const std::function<bool(Connection&)>& stale) {
    auto kept = std::remove_if(connections_.begin(), connections_.end(),
                               [&](std::unique_ptr<Connection>& c) { return stale(*c); });
    auto dropped = static_cast<std::size_t>(connections_.end() - kept);
    connections_.erase(kept, connections_.end());
    count(-static_cast<int>(dropped));
    return dropped;
}

void IdleList::retire() {
    retired_ = true;
    count(-static_cast<int>(connections_.size()));
    connections_.clear();
}

}  // namespace larder::upstream
