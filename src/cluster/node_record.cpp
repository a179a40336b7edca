#include "larder/cluster/node_record.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace larder::cluster {

namespace json = boost::json;

namespace {

std::optional<std::uint64_t> unsigned_field(const json::object& o, std::string_view name) {
    const json::value* v = o.if_contains(name);
    if (!v) return std::nullopt;
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
    return std::nullopt;
}

std::optional<std::int64_t> signed_field(const json::object& o, std::string_view name) {
    const json::value* v = o.if_contains(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->as_uint64());
    return std::nullopt;
}

}  // namespace

std::string encode_record(const NodeRecord& r) {
    json::object o{{"heartbeat_ms", r.heartbeat_ms},
                   {"started_ms", r.started_ms},
                   {"queued", r.queued},
                   {"requests", r.summary.requests},
                   {"from_cache", r.summary.from_cache},
                   {"objects", r.summary.objects},
                   {"bytes", r.summary.bytes}};
    o["applied"] = r.applied ? json::value(r.applied->text()) : json::value(nullptr);
    return json::serialize(o);
}

std::optional<NodeRecord> decode_record(std::string_view node, std::string_view text) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const json::object& o = v.as_object();
    NodeRecord r;
    r.node = std::string(node);
    auto heartbeat = signed_field(o, "heartbeat_ms");
    auto started = signed_field(o, "started_ms");
    auto queued = unsigned_field(o, "queued");
    auto requests = unsigned_field(o, "requests");
    auto from_cache = unsigned_field(o, "from_cache");
    auto objects = unsigned_field(o, "objects");
    auto bytes = unsigned_field(o, "bytes");
    if (!heartbeat || !started || !queued || !requests || !from_cache || !objects || !bytes)
        return std::nullopt;
    r.heartbeat_ms = *heartbeat;
    r.started_ms = *started;
    r.queued = *queued;
    r.summary = {*requests, *from_cache, *objects, *bytes};
    const json::value* applied = o.if_contains("applied");
    if (!applied) return std::nullopt;
    if (applied->is_string()) {
        r.applied = StreamId::parse(applied->as_string());
        if (!r.applied) return std::nullopt;
    } else if (!applied->is_null()) {
        return std::nullopt;
    }
    return r;
}

std::vector<NodeStatus> judge(const std::vector<RawRecord>& records,
                              const std::optional<StreamId>& newest, std::int64_t now_ms,
                              std::chrono::milliseconds heartbeat) {
    std::vector<NodeStatus> out;
    out.reserve(records.size());
    for (const auto& raw : records) {
        NodeStatus s;
        auto record = decode_record(raw.node, raw.json);
        if (!record) {
            s.record.node = raw.node;
            s.readable = false;
            out.push_back(std::move(s));
            continue;
        }
        s.record = std::move(*record);
        s.heartbeat_age_ms = std::max<std::int64_t>(0, now_ms - s.record.heartbeat_ms);
        s.silent = s.heartbeat_age_ms > 3 * heartbeat.count();
        if (newest) {
            StreamId applied = s.record.applied.value_or(StreamId{});
            s.behind = applied < *newest;
            s.lag_ms = lag_ms(applied, *newest);
        }
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const NodeStatus& a, const NodeStatus& b) {
        return a.record.node < b.record.node;
    });
    return out;
}

json::object to_json(const NodeStatus& s) {
    json::object o{{"node", s.record.node}, {"readable", s.readable}};
    if (!s.readable) return o;
    const auto& r = s.record;
    o["applied"] = r.applied ? json::value(r.applied->text()) : json::value(nullptr);
    o["behind"] = s.behind;
    o["lag_ms"] = s.lag_ms;
    o["heartbeat_age_ms"] = s.heartbeat_age_ms;
    o["silent"] = s.silent;
    o["queued"] = r.queued;
    o["started_ms"] = r.started_ms;
    o["requests"] = r.summary.requests;
    o["from_cache"] = r.summary.from_cache;
    o["hit_ratio"] = r.summary.requests ? json::value(static_cast<double>(r.summary.from_cache) /
                                                      static_cast<double>(r.summary.requests))
                                        : json::value(nullptr);
    o["objects"] = r.summary.objects;
    o["bytes"] = r.summary.bytes;
    return o;
}

}  // namespace larder::cluster
