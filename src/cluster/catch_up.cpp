// PurgeBus::catch_up and the stream reads it needs: before serving, apply every purge made
// since this node's last applied one, or drop the store when that cannot be known.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bus_detail.hpp"
#include "larder/cluster/purge_bus.hpp"

namespace larder::cluster {

using namespace detail;

CatchUp PurgeBus::catch_up(std::optional<obs::TimePoint> store_from) {
    const CatchUp out = resume(store_from);
    spdlog::info("cluster: node {}, Redis {}: {} ({} purges replayed, {} objects dropped)",
                 parts_.node, reader_.endpoint().describe(), to_string(out.resume), out.replayed,
                 out.dropped_objects);
    return out;
}

CatchUp PurgeBus::resume(std::optional<obs::TimePoint> store_from) {
    CatchUp out;
    std::optional<StreamId> from = read_state_file(parts_.config.state_file);
    // The store is as old as its snapshot: resume no later than that (less the clock margin).
    auto no_later_than_store = [&](std::optional<StreamId> id) -> std::optional<StreamId> {
        if (!id || !store_from) return id;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            store_from->time_since_epoch())
                            .count() -
                        kUnknownPositionMarginMs;
        const StreamId snapshot_point{static_cast<std::uint64_t>(std::max<std::int64_t>(0, ms)), 0};
        return snapshot_point < *id ? snapshot_point : *id;
    };
    auto unreachable = [&](std::string_view what) {
        spdlog::warn("cluster: {} ({}): purges made while this node was away are unknown", what,
                     reader_.last_error_text());
        out.resume = Resume::RedisUnreachable;
        out.dropped_objects = drop_everything("Redis unreachable at start");
        // Resume from a minute before start (stream ids are Redis's clock): purges made after
        // this node started reach it once Redis answers.
        advance(from.value_or(StreamId{static_cast<std::uint64_t>(std::max<std::int64_t>(
                                           0, started_ms_ - kUnknownPositionMarginMs)),
                                       0}));
        return out;
    };
    if (reader_.connect() != RedisError::None) return unreachable("cannot reach Redis");
    if (!from) from = recorded_position(reader_);
    if (!reader_.connected()) return unreachable("lost Redis");
    from = no_later_than_store(from);
    if (!from) {
        auto newest = newest_id(reader_);
        if (!newest) return unreachable("cannot read the stream");
        out.resume = Resume::FirstStart;
        out.dropped_objects = drop_everything("no record of the last purge this node applied");
        advance(*newest);
        return out;
    }
    auto trimmed = trimmed_after(*from);
    if (!trimmed) return unreachable("cannot read the stream");
    if (*trimmed) {
        auto newest = newest_id(reader_);
        if (!newest) return unreachable("cannot read the stream");
        out.resume = Resume::StreamTrimmed;
        out.dropped_objects = drop_everything("the stream was trimmed past the last applied purge");
        advance(*newest);
        return out;
    }
    advance(*from);
    auto replayed = replay_after(*from);
    if (!replayed) return unreachable("lost Redis while replaying");
    out.resume = Resume::Replayed;
    out.replayed = *replayed;
    parts_.counters.replayed.fetch_add(*replayed, std::memory_order_relaxed);
    return out;
}

std::optional<std::uint64_t> PurgeBus::replay_after(const StreamId& from) {
    std::uint64_t applied = 0;
    StreamId cursor = from;
    for (;;) {
        auto reply = reader_.command({"XRANGE", parts_.config.stream, "(" + cursor.text(), "+",
                                      "COUNT", std::to_string(kBatch)});
        if (!reply) return std::nullopt;
        if (reply->is_error()) {
            spdlog::error("cluster: XRANGE {}: {}", parts_.config.stream, reply->text);
            return std::nullopt;
        }
        for (const auto& element : reply->elements) {
            auto entry = entry_of(element);
            if (!entry) continue;
            apply_entry(entry->id, entry->fields, /*own_too=*/true);
            cursor = entry->id;
            ++applied;
        }
        if (reply->elements.size() < kBatch) return applied;
    }
}

std::optional<bool> PurgeBus::trimmed_after(const StreamId& applied) {
    auto reply = reader_.command({"XINFO", "STREAM", parts_.config.stream});
    if (!reply) return std::nullopt;
    if (reply->is_error()) return false;  // no stream yet: nothing was ever trimmed
    const auto& e = reply->elements;
    for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
        if (e[i].text != "max-deleted-entry-id") continue;
        auto deleted = StreamId::parse(e[i + 1].text);
        return deleted && applied < *deleted;
    }
    return false;
}

std::optional<StreamId> PurgeBus::newest_id(RedisClient& redis) {
    auto reply = redis.command({"XREVRANGE", parts_.config.stream, "+", "-", "COUNT", "1"});
    if (!reply || reply->is_error()) return std::nullopt;
    if (reply->elements.empty()) return StreamId{};
    auto entry = entry_of(reply->elements.front());
    if (!entry) return std::nullopt;
    return entry->id;
}

std::optional<StreamId> PurgeBus::recorded_position(RedisClient& redis) {
    auto reply = redis.command({"HGET", parts_.config.nodes_key, parts_.node});
    if (!reply || reply->type != RedisReply::Type::String) return std::nullopt;
    auto record = decode_record(parts_.node, reply->text);
    if (!record) return std::nullopt;
    return record->applied;
}

}  // namespace larder::cluster
