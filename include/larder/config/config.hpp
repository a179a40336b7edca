// config::Config: the whole daemon configuration as plain structs, with every default in one place.
//
// The loader (loader.hpp) fills these from TOML and validates them; everything else in Larder reads
// only these structs and never sees TOML. A Config that the loader returned is valid: addresses
// parse, sizes and durations are positive where they must be, regexes compile, and there is at
// least one upstream server. Defaults here are what an operator gets by leaving a key out, and
// docs/configuration.md lists them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "larder/config/address_range.hpp"

namespace larder::config {

using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

inline constexpr std::size_t KiB = 1024;
inline constexpr std::size_t MiB = 1024 * KiB;

struct HostPort {
    std::string host;  // "127.0.0.1", "::1", "localhost"
    std::uint16_t port = 0;

    bool operator==(const HostPort&) const = default;
};

struct ServerConfig {
    std::vector<HostPort> listen{{"127.0.0.1", 8080}};
    unsigned workers = 0;  // 0 = one per core
    Duration client_header_timeout = 10s;
    Duration client_body_timeout = 30s;
    Duration keepalive_timeout = 60s;
    Duration send_timeout = 30s;
    Duration upstream_connect_timeout = 3s;
    // The app's whole response: time spent waiting on it from sending the request to the last
    // byte (a relay paused by a slow client does not count).
    Duration upstream_timeout = 30s;
    // The longest silence of an app mid-response (between reads once the head has arrived).
    Duration upstream_read_timeout = 10s;
    Duration drain_timeout = 10s;
    std::size_t max_header_size = 16 * KiB;
    std::size_t max_body_size = 10 * MiB;
    // Request bodies up to this size are kept in memory; larger ones go to an unlinked file in
    // body_temp_dir (empty: $TMPDIR, else /tmp).
    std::size_t body_buffer_size = 64 * KiB;
    std::string body_temp_dir;
    std::size_t max_connections = 10000;
    bool debug_headers = false;  // X-Cache-Reason on responses
};

struct UpstreamServer {
    HostPort address;
    unsigned weight = 1;
    // Requests in flight to this server at once, summed over all workers; 0 = no limit.
    std::size_t max_connections = 0;
    bool backup = false;  // used only while every non-backup server is down

    bool operator==(const UpstreamServer&) const = default;
};

// How the next server is chosen (docs/upstreams.md).
enum class Balance { RoundRobin, LeastConn, RandomTwo, Hash };

struct HealthConfig {
    // Active checks: GET `path` every `interval`; off when `path` is empty.
    std::string path;
    Duration interval = 5s;
    Duration timeout = 2s;                // per probe: connect, send and read the status line
    std::vector<int> expect_status{200};  // statuses that count as healthy
    unsigned rise = 2;                    // consecutive good probes that bring a server up
    unsigned fall = 3;                    // consecutive bad probes that take it down
    // Passive checks: `max_fails` failed requests within `fail_timeout` eject a server for
    // `fail_timeout`; 0 = off. Never applies to a pool of a single server.
    unsigned max_fails = 3;
    Duration fail_timeout = 10s;

    bool operator==(const HealthConfig&) const = default;
};

struct UpstreamConfig {
    std::vector<UpstreamServer> servers;
    Balance balance = Balance::RoundRobin;
    Duration slow_start = 10s;    // a server that comes back ramps to its weight; 0 = off
    unsigned retries = 1;         // other servers tried after a failed connect
    std::size_t queue = 256;      // requests waiting for a server at max_connections; 0 = none
    Duration queue_timeout = 5s;  // longest such a wait; then 503
    HealthConfig health;
    // Responses up to this size are read whole before the first byte goes to the client;
    // larger ones stream.
    std::size_t buffer_size = 8 * MiB;
    std::size_t max_idle_per_server = 64;  // pooled keep-alive connections, per worker
    Duration idle_timeout = 30s;           // a pooled connection unused this long is closed

    bool operator==(const UpstreamConfig&) const = default;
};

struct LogConfig {
    std::string access = "stdout";  // "stdout", "stderr", "off" or a file path
    std::string error = "stderr";   // "stdout", "stderr" or a file path
    std::string level = "info";     // trace, debug, info, warn, error, critical, off
    std::string format = "text";    // access log lines: "text" (combined-style) or "json"
};

// A condition on a cookie, query parameter or request header.
struct Condition {
    enum class Kind { Present, Absent, Empty, Equals, Regex };
    std::string name;
    Kind kind = Kind::Present;
    std::string value;  // for Equals (the value) and Regex (the pattern)
};

enum class Visitor { Any, Anonymous, Authenticated };

struct RuleConfig {
    std::string name;
    int line = 0;  // where the rule starts in the config file, for messages

    // Matchers: all that are set must hold.
    std::vector<std::string> methods{"GET", "HEAD"};
    std::vector<std::string> paths;          // exact, or glob with '*'
    std::vector<std::string> path_prefixes;  // "path_prefix"
    std::optional<std::string> path_regex;
    std::vector<std::string> hosts;  // exact, case-insensitive
    std::vector<Condition> query;
    std::vector<Condition> cookies;
    std::vector<Condition> headers;
    Visitor visitor = Visitor::Any;

    // Actions.
    bool pass = false;
    std::optional<Duration> ttl;    // "cache"
    bool ttl_from_origin = false;   // cache = "origin": follow the app's headers (RFC 9111)
    std::optional<Duration> grace;  // overrides [cache] grace
    std::optional<Duration> stale_if_error;  // overrides [cache] stale_if_error
    std::optional<std::string> key;  // template; default "${scheme}://${host}${path}${query}"
    std::vector<std::string> vary_cookies;
    bool ignore_cookies = false;
    bool strip_set_cookie = false;
    std::optional<bool> sort_query;                      // overrides [cache] sort_query
    std::optional<std::vector<std::string>> drop_query;  // overrides [cache] drop_query
};

struct CacheConfig {
    std::size_t max_size = 256 * MiB;
    std::size_t max_objects = 1'000'000;
    std::size_t max_object_size = 1 * MiB;
    std::string default_policy = "pass";  // "default": what requests that match no rule get
    std::vector<int> cacheable_status{200};
    bool sort_query = false;
    std::vector<std::string> drop_query;  // globs of query parameter names, e.g. "utm_*"
    // RFC 9111 policy (default = "http" and rules with cache = "origin"); docs/http-caching.md.
    // "10%" -> 0.10: heuristic freshness from Last-Modified; 0 = off; unset: 10% when
    // default_policy == "http", else off (heuristic_fraction()).
    std::optional<double> heuristic;
    Duration heuristic_max = 24h;               // the longest heuristic lifetime
    std::optional<bool> honor_client_no_cache;  // unset: true when default_policy == "http"
    bool honor_client_max_stale = true;
    std::size_t max_variants = 8;  // Vary variants kept per URL; 0 = do not store Vary responses
    bool targeted_cache_control = true;  // CDN-Cache-Control / Surrogate-Control override
    bool strip_targeted_headers = true;  // and are removed from what clients get
    // A POST answer with explicit freshness and Content-Location = its URL, from a visitor
    // without cookies or credentials, stored for later GETs (RFC 9110 section 9.3.3). Off.
    bool store_post_responses = false;
    // Traffic spikes (docs/configuration.md, "Absorbing spikes").
    Duration grace = 10s;                   // serve stale while one background refresh runs
    Duration stale_if_error = 5min;         // serve stale when the app fails
    Duration lock_timeout = 5s;             // longest a coalesced request waits for its leader
    Duration uncacheable_ttl = 60s;         // hit-for-pass memory
    std::size_t max_uncacheable = 100'000;  // keys remembered for hit-for-pass
    // Warm restart (docs/operations.md): the store is written here on an orderly stop and read
    // back at start; empty = no snapshot. snapshot_interval > 0 also writes it that often.
    std::string snapshot;
    Duration snapshot_interval = 0s;
};

// The heuristic freshness fraction in force (RFC 9111 section 4.2.2 suggests 10%).
inline double heuristic_fraction(const CacheConfig& c) {
    return c.heuristic.value_or(c.default_policy == "http" ? 0.10 : 0.0);
}

// Request no-cache / max-age / min-fresh / no-store / Pragma honoured?
inline bool honors_client_no_cache(const CacheConfig& c) {
    return c.honor_client_no_cache.value_or(c.default_policy == "http");
}

struct FlaskSessionConfig {
    std::string cookie = "session";
    std::string user_key = "_user_id";
    std::optional<std::string> secret_key;  // verify the signature when set
    // Session keys that hold something meant for this visitor alone (Flask's flashed messages):
    // a request whose session has one of them passes.
    std::vector<std::string> personal_keys{"_flashes"};
};

// Django's session cookie. With backend "signed_cookies" the session data is in the cookie
// (django.core.signing, JSON) and is read like Flask's; with a server-side backend ("db",
// "cache", "cached_db", "file") the cookie is an opaque id: the visitor is logged in when
// `login_cookie` (a marker the app sets at login) is present, or, without such a marker, whenever
// the session cookie is present (nothing else can be known).
struct DjangoSessionConfig {
    std::string cookie = "sessionid";
    std::string backend = "signed_cookies";
    std::string user_key = "_auth_user_id";
    std::optional<std::string> secret_key;    // verify the signature when set (signed_cookies)
    std::optional<std::string> login_cookie;  // server-side backends: the app's logged-in marker
    std::vector<std::string> personal_keys{"_messages"};  // session-stored messages

    bool signed_cookies() const { return backend == "signed_cookies"; }
};

// Cookies that say nothing about the visitor (analytics, consent banners). Used only when
// [identity] names no way to tell visitors apart: then a request to a caching rule that carries
// any other cookie passes (docs/privacy.md).
inline std::vector<std::string> default_anonymous_cookies() {
    return {"_ga",    "_ga_*", "_gid",    "_gat*",   "_gcl_*",
            "__utm*", "_fbp",  "_fbc",    "_hj*",    "_pk_*",
            "_clck",  "_clsk", "_uetsid", "_uetvid", "cookieconsent_status"};
}

struct IdentityConfig {
    std::vector<std::string> cookies;  // any present and non-empty -> logged in
    // Any present and non-empty -> the visitor holds personal state and passes. "messages" is
    // Django's cookie message storage.
    std::vector<std::string> personal_cookies{"messages"};
    std::vector<std::string> anonymous_cookies = default_anonymous_cookies();  // globs
    std::optional<FlaskSessionConfig> flask_session;
    std::optional<DjangoSessionConfig> django_session;

    // Whether the operator said how to tell visitors apart. Without it, any cookie outside
    // anonymous_cookies makes a request personal.
    bool knows_visitors() const {
        return !cookies.empty() || flask_session.has_value() || django_session.has_value();
    }
};

// [purge]: purges (docs/purge.md). Applied through the admin API.
struct PurgeConfig {
    // Response fields naming an object's purge tags (Surrogate-Key, xkey; cache/tags.hpp).
    std::vector<std::string> tag_headers{"Surrogate-Key", "xkey"};
    bool strip_tag_headers = true;  // removed from what clients get
    // How long a purge is remembered to vet fetches that were in flight when it was accepted:
    // at least the longest a fetch can last.
    Duration window = 2min;
    std::size_t max_pending = 10'000;  // purges remembered at once; more are refused (429)
};

// [compression]: content codings made once, when a response is stored (docs/compression.md).
struct CompressionConfig {
    // Store a gzip and a brotli encoding of compressible responses that arrive uncompressed.
    bool enabled = true;
    // Media types (Content-Type without parameters, lower-case) worth compressing; one '*' may
    // stand for any run of characters ("text/*", "application/*+json").
    std::vector<std::string> types{"text/*",
                                   "application/javascript",
                                   "application/x-javascript",
                                   "application/json",
                                   "application/*+json",
                                   "application/xml",
                                   "application/*+xml",
                                   "image/svg+xml"};
    std::size_t min_size = 1 * KiB;  // smaller bodies are stored as they are
    int gzip_level = 6;              // zlib 1 (fast) .. 9 (small)
    int brotli_quality = 5;          // brotli 0 (fast) .. 11 (small, very slow)
    // Threads that compress off the workers' event loops, shared by all workers; 0 = compress
    // on the worker's own thread.
    unsigned threads = 1;
    // Compress passed responses (not stored) on the fly for clients that accept it.
    bool pass = false;
};

// [admin]: the admin listener (docs/admin-api.md). A listen address that is not loopback needs a
// token (the loader refuses the config otherwise).
struct AdminConfig {
    std::vector<HostPort> listen{{"127.0.0.1", 9180}};  // empty: no admin listener
    std::string token;                                  // bearer token; empty: none asked for
    std::vector<AddressRange> allow;  // peers allowed in; empty: whoever can connect

    bool operator==(const AdminConfig&) const = default;
};

// [cluster]: several nodes acting as one cache (docs/scale-out.md). Absent: no Redis, no node name.
struct ClusterConfig {
    bool enabled = false;  // true when the config has a [cluster] section
    std::string node;      // this node's name in Via, X-Cache and Redis; empty: the host name
    // Redis: "host:port", or "unix:/path/to/redis.sock".
    HostPort redis{"127.0.0.1", 6379};
    std::string redis_socket;                 // set instead of `redis` for "unix:..."
    std::string stream = "larder:purges";     // the purge stream (XADD / XREAD)
    std::string nodes_key = "larder:nodes";   // the hash of node records (heartbeat, applied id)
    std::size_t stream_max_length = 100'000;  // XADD MAXLEN ~ this
    Duration connect_timeout = 1s;            // connecting to Redis
    Duration command_timeout = 2s;            // one Redis command
    Duration heartbeat = 1s;                  // how often the node record is written
    Duration reconnect_max = 5s;              // the longest pause between reconnection attempts
    std::size_t max_queued_purges = 10'000;   // purges kept for Redis while it is unreachable
    std::string state_file;  // where the last applied stream id is kept; empty: Redis only

    bool operator==(const ClusterConfig&) const = default;
};

struct Config {
    std::string source_path;  // the file it came from
    ServerConfig server;
    AdminConfig admin;
    UpstreamConfig upstream;
    LogConfig log;
    CacheConfig cache;
    IdentityConfig identity;
    PurgeConfig purge;
    ClusterConfig cluster;
    CompressionConfig compression;
    std::vector<RuleConfig> rules;
};

}  // namespace larder::config
