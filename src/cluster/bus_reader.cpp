// The reader thread: XREAD BLOCK on its own connection, each entry from another node applied
// to the store, the position remembered (memory, state_file); reconnection with backoff.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "bus_detail.hpp"
#include "larder/cluster/purge_bus.hpp"
#include "larder/proxy/purge.hpp"

namespace larder::cluster {

using namespace detail;

void PurgeBus::apply_entry(const StreamId& id, const StreamFields& fields, bool own_too) {
    Decoded decoded = decode(fields);
    if (decoded.error != DecodeError::None) {
        spdlog::warn("cluster: stream entry {} skipped: {}", id.text(), to_string(decoded.error));
    } else if (own_too || decoded.message.node != parts_.node) {
        if (apply(decoded.message.order)) {
            parts_.counters.applied_remote.fetch_add(1, std::memory_order_relaxed);
            spdlog::info("cluster: purge {} {}{} from {} applied (entry {})",
                         obs::to_string(decoded.message.order.kind), decoded.message.order.value,
                         decoded.message.order.soft ? " (soft)" : "", decoded.message.node,
                         id.text());
        }
    }
    advance(id);
}

bool PurgeBus::apply(const proxy::PurgeOrder& order) {
    const proxy::GenerationPtr pinned = parts_.generations.get();
    proxy::PreparedPurge prepared = proxy::prepare_purge(pinned->rules, order);
    if (!prepared.purge) {
        spdlog::warn("cluster: purge {} \"{}\" cannot be applied here: {} {}",
                     obs::to_string(order.kind), order.value, proxy::to_string(prepared.error),
                     prepared.detail);
        return false;
    }
    for (;;) {
        cache::PurgeResult result = parts_.store.purge(*prepared.purge, parts_.clock.now());
        if (result.refusal == cache::PurgeRefusal::None) {
            parts_.purge_counters.count(order.kind, result.objects);
            return true;
        }
        // Too many purges remembered: wait for the janitor rather than skip this one.
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, kRefusedRetry, [this] { return stopping_; })) return false;
    }
}

std::uint64_t PurgeBus::drop_everything(std::string_view why) {
    if (parts_.store.stats().objects == 0) return 0;
    cache::Purge all{.kind = cache::PurgeKind::Pattern,
                     .soft = false,
                     .subject = "(everything)",
                     .matches = [](const cache::Object&) { return true; }};
    cache::PurgeResult result = parts_.store.purge(std::move(all), parts_.clock.now());
    parts_.counters.full_drops.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("cluster: dropped the whole store ({} objects): {}", result.objects, why);
    return result.objects;
}

void PurgeBus::advance(const StreamId& id) {
    {
        std::lock_guard lock(mutex_);
        applied_ = id;
        have_applied_ = true;
        if (view_.newest)
            parts_.counters.lag_ms.store(lag_ms(applied_, *view_.newest),
                                         std::memory_order_relaxed);
    }
    save_state(id);
}

void PurgeBus::save_state(const StreamId& id) {
    const std::string& path = parts_.config.state_file;
    if (path.empty()) return;
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << id.text() << "\n";
        if (!out) {
            spdlog::warn("cluster: cannot write {}", tmp);
            return;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) spdlog::warn("cluster: cannot rename {} to {}: {}", tmp, path, ec.message());
}

void PurgeBus::read_loop() {
    milliseconds backoff = kFirstBackoff;
    bool was_connected = reader_.connected();
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        if (!reader_.connected()) {
            if (reader_.connect() != RedisError::None) {
                reader_up_.store(false, std::memory_order_relaxed);
                update_connected();
                {
                    std::lock_guard lock(mutex_);
                    reader_error_ = reader_.last_error_text();
                }
                if (!wait_backoff(backoff)) return;
                continue;
            }
            backoff = kFirstBackoff;
            if (was_connected) parts_.counters.reconnects.fetch_add(1, std::memory_order_relaxed);
            was_connected = true;
            spdlog::info("cluster: reading purges from Redis {} again",
                         reader_.endpoint().describe());
            StreamId from;
            {
                std::lock_guard lock(mutex_);
                from = applied_;
            }
            auto trimmed = trimmed_after(from);
            if (trimmed && *trimmed) {
                drop_everything("the stream was trimmed past the last applied purge");
                if (auto newest = newest_id(reader_)) advance(*newest);
            }
            if (!reader_.connected()) continue;
        }
        if (!read_once()) {
            spdlog::warn("cluster: lost Redis {} ({}); local purges are queued",
                         reader_.endpoint().describe(), reader_.last_error_text());
            std::lock_guard lock(mutex_);
            reader_error_ = reader_.last_error_text();
        }
    }
}

bool PurgeBus::read_once() {
    StreamId from;
    {
        std::lock_guard lock(mutex_);
        from = applied_;
    }
    const milliseconds block = std::min(kMaxBlock, parts_.config.heartbeat);
    auto reply = reader_.command(
        {"XREAD", "COUNT", std::to_string(kBatch), "BLOCK", std::to_string(block.count()),
         "STREAMS", parts_.config.stream, from.text()},
        block);
    reader_up_.store(reply.has_value(), std::memory_order_relaxed);
    update_connected();
    if (!reply) return false;
    {
        std::lock_guard lock(mutex_);
        reader_error_.clear();
    }
    if (reply->is_error()) {
        spdlog::error("cluster: XREAD {}: {}", parts_.config.stream, reply->text);
        milliseconds pause = parts_.config.reconnect_max;
        wait_backoff(pause);
        return true;
    }
    // [[stream, [entry, ...]]], or nil when BLOCK timed out.
    for (const auto& stream : reply->elements) {
        if (!stream.is_array() || stream.elements.size() != 2) continue;
        for (const auto& element : stream.elements[1].elements) {
            auto entry = entry_of(element);
            if (entry) apply_entry(entry->id, entry->fields, /*own_too=*/false);
        }
    }
    return true;
}

}  // namespace larder::cluster
