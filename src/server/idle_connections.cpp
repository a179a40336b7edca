#include "larder/server/idle_connections.hpp"

namespace larder::server {

void IdleConnections::add(IdleLink& link, Clock::time_point now) {
    if (link.listed) remove(link);
    link.since = now;
    link.prev = newest_;
    link.next = nullptr;
    if (newest_)
        newest_->next = &link;
    else
        oldest_ = &link;
    newest_ = &link;
    link.listed = true;
    ++size_;
    publish();
}

void IdleConnections::remove(IdleLink& link) {
    if (!link.listed) return;
    if (link.prev)
        link.prev->next = link.next;
    else
        oldest_ = link.next;
    if (link.next)
        link.next->prev = link.prev;
    else
        newest_ = link.prev;
    link.prev = link.next = nullptr;
    link.listed = false;
    --size_;
    publish();
}

void IdleConnections::publish() {
    oldest_since_.store(oldest_ ? oldest_->since.time_since_epoch().count() : kNone,
                        std::memory_order_relaxed);
    if (gauge_) gauge_->store(static_cast<std::int64_t>(size_), std::memory_order_relaxed);
}

}  // namespace larder::server
