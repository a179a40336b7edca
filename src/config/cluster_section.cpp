// [cluster]: the node's name and where the cluster's Redis is (docs/scale-out.md).
//
// The section's presence turns clustering on. `node` must be a token that fits in a Via field
// and a Redis key (letters, digits, '.', '-', '_'); `redis` is "host:port" or "unix:/path";
// the Redis key names must be visible ASCII. Timeouts are positive; the heartbeat must be
// shorter than a minute so that "behind" in GET /cluster means something.
#include <algorithm>
#include <cctype>

#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::size_t kMaxNodeName = 64;

bool node_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

void read_node(Reader& r, std::string& out) {
    if (!r.string("node", out)) return;
    if (out.size() > kMaxNodeName || !std::all_of(out.begin(), out.end(), node_name_char))
        r.fail("node",
               "expected a name of 1 to 64 letters, digits, '.', '-' or '_' (it goes "
               "into Via and X-Cache), got \"" +
                   out + '"');
}

void read_redis(Reader& r, ClusterConfig& out) {
    const toml::node* node = r.find("redis");
    if (!node) return;
    const auto* text = node->as_string();
    constexpr std::string_view kUnix = "unix:";
    if (text && text->get().starts_with(kUnix)) {
        out.redis_socket = text->get().substr(kUnix.size());
        if (out.redis_socket.empty() || out.redis_socket.front() != '/')
            r.fail("redis",
                   "expected an absolute socket path after \"unix:\", such as "
                   "\"unix:/run/redis/redis-server.sock\", got " +
                       show(*node));
        return;
    }
    if (auto problem = address_problem(*node, false, out.redis))
        r.fail("redis", *problem + " (or \"unix:/path/to/redis.sock\")");
}

void read_key_name(Reader& r, std::string_view name, std::string& out) {
    if (!r.string(name, out)) return;
    bool visible = std::all_of(out.begin(), out.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!visible || out.size() > 200)
        r.fail(name, "expected a Redis key name of 1 to 200 visible ASCII characters, got \"" +
                         out + '"');
}

}  // namespace

void read_cluster(Reader& r, ClusterConfig& out) {
    out.enabled = true;
    read_node(r, out.node);
    read_redis(r, out);
    read_key_name(r, "stream", out.stream);
    read_key_name(r, "nodes_key", out.nodes_key);
    std::int64_t number = 0;
    if (r.integer("stream_max_length", number, 100, 100'000'000))
        out.stream_max_length = static_cast<std::size_t>(number);
    if (r.integer("max_queued_purges", number, 1, 1'000'000))
        out.max_queued_purges = static_cast<std::size_t>(number);
    r.duration("connect_timeout", out.connect_timeout);
    r.duration("command_timeout", out.command_timeout);
    r.duration("heartbeat", out.heartbeat);
    r.duration("reconnect_max", out.reconnect_max);
    r.string("state_file", out.state_file);
    r.finish();
    if (out.heartbeat > std::chrono::minutes(1))
        r.fail("heartbeat", "expected at most 1m (other nodes judge this one by it), got " +
                                std::to_string(out.heartbeat.count()) + "ms");
    if (out.nodes_key == out.stream)
        r.fail("nodes_key", "must differ from cluster.stream (\"" + out.stream + "\")");
}

}  // namespace larder::config::detail
