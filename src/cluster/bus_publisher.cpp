// The publisher thread: this node's queued purges XADDed in order, and at every heartbeat its
// record written to the node hash and the cluster view read back; reconnection with backoff.
#include <spdlog/spdlog.h>

#include "bus_detail.hpp"
#include "larder/cluster/purge_bus.hpp"

namespace larder::cluster {

using namespace detail;

void PurgeBus::publish_loop() {
    milliseconds backoff = kFirstBackoff;
    auto next_heartbeat = std::chrono::steady_clock::now();
    bool was_connected = false;
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, next_heartbeat, [this] { return stopping_ || !queue_.empty(); });
            stopping = stopping_;
        }
        if (!writer_.connected()) {
            if (stopping) return;
            if (writer_.connect() != RedisError::None) {
                writer_up_.store(false, std::memory_order_relaxed);
                update_connected();
                {
                    std::lock_guard lock(mutex_);
                    writer_error_ = writer_.last_error_text();
                }
                if (!wait_backoff(backoff)) return;
                continue;
            }
            backoff = kFirstBackoff;
            if (was_connected) parts_.counters.reconnects.fetch_add(1, std::memory_order_relaxed);
            was_connected = true;
            std::lock_guard lock(mutex_);
            writer_error_.clear();
        }
        bool flushed = flush_queue();
        if (stopping) {  // one last flush and record, each bounded by the command timeout
            if (flushed) heartbeat();
            return;
        }
        if (flushed && std::chrono::steady_clock::now() >= next_heartbeat) {
            heartbeat();
            next_heartbeat = std::chrono::steady_clock::now() + parts_.config.heartbeat;
        }
        writer_up_.store(writer_.connected(), std::memory_order_relaxed);
        update_connected();
    }
}

bool PurgeBus::flush_queue() {
    for (;;) {
        PurgeMessage next;
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty()) return true;
            next = queue_.front();
        }
        std::vector<std::string> args{"XADD",
                                      parts_.config.stream,
                                      "MAXLEN",
                                      "~",
                                      std::to_string(parts_.config.stream_max_length),
                                      "*"};
        for (auto& [name, value] : encode(next)) {
            args.push_back(std::move(name));
            args.push_back(std::move(value));
        }
        auto reply = writer_.command(args);
        if (!reply || reply->is_error()) {
            std::string why = reply ? reply->text : writer_.last_error_text();
            spdlog::warn("cluster: cannot publish purge {} {} yet: {}",
                         obs::to_string(next.order.kind), next.order.value, why);
            std::lock_guard lock(mutex_);
            writer_error_ = why;
            writer_.close();  // reconnect with backoff
            return false;
        }
        parts_.counters.published.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        queue_.pop_front();
        parts_.counters.queued.store(queue_.size(), std::memory_order_relaxed);
    }
}

void PurgeBus::heartbeat() {
    NodeRecord record;
    record.node = parts_.node;
    record.heartbeat_ms = now_ms();
    record.started_ms = started_ms_;
    {
        std::lock_guard lock(mutex_);
        if (have_applied_) record.applied = applied_;
        record.queued = queue_.size();
    }
    if (parts_.summary) record.summary = parts_.summary();
    auto set =
        writer_.command({"HSET", parts_.config.nodes_key, parts_.node, encode_record(record)});
    if (!set) return;
    auto all = writer_.command({"HGETALL", parts_.config.nodes_key});
    if (!all || all->is_error()) return;
    auto newest = newest_id(writer_);
    View view;
    view.newest = newest;
    view.taken_ms = now_ms();
    for (std::size_t i = 0; i + 1 < all->elements.size(); i += 2)
        view.records.push_back({all->elements[i].text, all->elements[i + 1].text});
    std::lock_guard lock(mutex_);
    view_ = std::move(view);
    if (view_.newest)
        parts_.counters.lag_ms.store(lag_ms(applied_, *view_.newest), std::memory_order_relaxed);
}

}  // namespace larder::cluster
