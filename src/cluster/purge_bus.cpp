#include "larder/cluster/purge_bus.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "larder/proxy/purge.hpp"

namespace larder::cluster {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kBatch = 500;  // entries per XRANGE / XREAD
constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxBlock{500};     // XREAD BLOCK: how soon stop() is noticed
constexpr milliseconds kRefusedRetry{50};  // the store's ban list was full
constexpr std::int64_t kUnknownPositionMarginMs = 60'000;

RedisEndpoint endpoint_of(const config::ClusterConfig& c) {
    return {.host = c.redis.host, .port = c.redis.port, .socket = c.redis_socket};
}

// One stream entry of an XRANGE or XREAD reply: [id, [field, value, ...]].
struct Entry {
    StreamId id;
    StreamFields fields;
};

std::optional<Entry> entry_of(const RedisReply& r) {
    if (!r.is_array() || r.elements.size() != 2) return std::nullopt;
    auto id = StreamId::parse(r.elements[0].text);
    const RedisReply& list = r.elements[1];
    if (!id || !list.is_array() || list.elements.size() % 2 != 0) return std::nullopt;
    Entry e{*id, {}};
    for (std::size_t i = 0; i < list.elements.size(); i += 2)
        e.fields.emplace_back(list.elements[i].text, list.elements[i + 1].text);
    return e;
}

std::optional<StreamId> read_state_file(const std::string& path) {
    if (path.empty()) return std::nullopt;
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    auto id = StreamId::parse(line);
    if (!id) spdlog::warn("cluster: {}: not a stream id, ignored: \"{}\"", path, line);
    return id;
}

}  // namespace

std::string resolve_node_name(const config::ClusterConfig& config) {
    if (!config.node.empty()) return config.node;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) return "larder";
    std::string name(host);
    bool valid =
        !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    return valid ? name : "larder";
}

const char* to_string(Resume resume) {
    switch (resume) {
        case Resume::Replayed:
            return "replayed";
        case Resume::FirstStart:
            return "first_start";
        case Resume::RedisUnreachable:
            return "redis_unreachable";
        case Resume::StreamTrimmed:
            return "stream_trimmed";
    }
    return "unknown";
}

PurgeBus::PurgeBus(PurgeBusParts parts)
    : parts_(std::move(parts)),
      started_ms_(std::chrono::duration_cast<milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()),
      reader_(endpoint_of(parts_.config), parts_.config.connect_timeout,
              parts_.config.command_timeout),
      writer_(endpoint_of(parts_.config), parts_.config.connect_timeout,
              parts_.config.command_timeout) {}

PurgeBus::~PurgeBus() {
    stop();
}

std::int64_t PurgeBus::now_ms() const {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// -- catching up before serving ----------------------------------------------------------------

CatchUp PurgeBus::catch_up() {
    CatchUp out;
    std::optional<StreamId> from = read_state_file(parts_.config.state_file);
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

// -- applying ------------------------------------------------------------------------------

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
    proxy::PreparedPurge prepared = proxy::prepare_purge(parts_.rules, order);
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

// -- the threads ---------------------------------------------------------------------------

void PurgeBus::start() {
    reader_thread_ = std::thread([this] { read_loop(); });
    writer_thread_ = std::thread([this] { publish_loop(); });
}

void PurgeBus::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !reader_thread_.joinable() && !writer_thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (reader_thread_.joinable()) reader_thread_.join();
    if (writer_thread_.joinable()) writer_thread_.join();
}

bool PurgeBus::wait_backoff(milliseconds& backoff) {
    std::unique_lock lock(mutex_);
    bool stop = wake_.wait_for(lock, backoff, [this] { return stopping_; });
    backoff = std::min(backoff * 2, parts_.config.reconnect_max);
    return !stop;
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

void PurgeBus::update_connected() {
    parts_.counters.redis_connected.store(
        reader_up_.load(std::memory_order_relaxed) && writer_up_.load(std::memory_order_relaxed),
        std::memory_order_relaxed);
}

void PurgeBus::publish(const proxy::PurgeOrder& order) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= parts_.config.max_queued_purges) {
            const PurgeMessage& lost = queue_.front();
            spdlog::error(
                "cluster: {} purges wait for Redis; the oldest ({} {}) is dropped and "
                "other nodes will not apply it",
                queue_.size(), obs::to_string(lost.order.kind), lost.order.value);
            queue_.pop_front();
            parts_.counters.dropped.fetch_add(1, std::memory_order_relaxed);
        }
        queue_.push_back({parts_.node, order});
        parts_.counters.queued.store(queue_.size(), std::memory_order_relaxed);
    }
    wake_.notify_all();
}

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

json::object PurgeBus::status() const {
    std::lock_guard lock(mutex_);
    const std::int64_t now = now_ms();
    json::array nodes;
    for (const auto& s : judge(view_.records, view_.newest, now, parts_.config.heartbeat))
        nodes.push_back(to_json(s));
    json::array behind;
    for (const auto& n : nodes)
        if (n.as_object().contains("behind") && n.as_object().at("behind").as_bool())
            behind.push_back(n.as_object().at("node"));
    const auto& c = parts_.counters;
    return json::object{
        {"node", parts_.node},
        {"redis", json::object{{"address", reader_.endpoint().describe()},
                               {"connected", c.redis_connected.load(std::memory_order_relaxed)},
                               {"reader_error", reader_error_},
                               {"writer_error", writer_error_}}},
        {"stream", parts_.config.stream},
        {"newest", view_.newest ? json::value(view_.newest->text()) : json::value(nullptr)},
        {"applied", have_applied_ ? json::value(applied_.text()) : json::value(nullptr)},
        {"view_age_ms", view_.taken_ms ? json::value(now - view_.taken_ms) : json::value(nullptr)},
        {"queued", queue_.size()},
        {"published", c.published.load(std::memory_order_relaxed)},
        {"applied_remote", c.applied_remote.load(std::memory_order_relaxed)},
        {"replayed", c.replayed.load(std::memory_order_relaxed)},
        {"dropped", c.dropped.load(std::memory_order_relaxed)},
        {"full_drops", c.full_drops.load(std::memory_order_relaxed)},
        {"behind", std::move(behind)},
        {"nodes", std::move(nodes)}};
}

}  // namespace larder::cluster
