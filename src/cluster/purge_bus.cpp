// PurgeBus: construction, the two threads' start and stop, the queue's entrance and the status
// (catch_up.cpp, bus_reader.cpp and bus_publisher.cpp have the rest; purge_bus.hpp the design).
#include "larder/cluster/purge_bus.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <fstream>

#include "bus_detail.hpp"

namespace larder::cluster {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace detail {

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

}  // namespace detail

namespace {

RedisEndpoint endpoint_of(const config::ClusterConfig& c) {
    return {.host = c.redis.host, .port = c.redis.port, .socket = c.redis_socket};
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
