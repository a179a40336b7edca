// proxy::Pipeline: the journey of one request, as an explicit state machine (Varnish's
// cache_req_fsm, in our words). Each step is one small function that does its work and returns
// the next step:
//
//   Receive ──► Lookup ──► Hit ─────────────────────────────► Deliver ─► Done
//      │          │ ├────► Grace (serve stale, start one refresh) ─┘
//      │          │ ├────► Wait (follow another request's fetch) ──► Deliver | Fetch
//      │          │ ├────► Miss (lead the fetch) ──► Fetch ──► Deliver | Stream | Synth
//      │          │ └────► Pass (hit-for-pass)  ──► Fetch
//      ├─► Pass ──────────────────────────────────► Fetch
//      └─► Synth (Larder's own answer: 405, 504 for only-if-cached, upstream errors)
//
// Receive asks the rules (rules::Decision) and, for a cache candidate, builds the request a
// shared fetch sends (AnonymousRequest: no cookies but the keyed ones, no credentials) and the
// policy in force (cache::CachePolicy: the rule's TTL or RFC 9111). Lookup asks the store ONE
// question (Store::lookup_or_join: hit, grace, leader, follower or hit-for-pass, under one shard
// lock, the key hashed once). Fetch runs the ONE fetch-and-store path (fetch_and_store) that the
// miss, the hit-for-pass, the pass, the revalidation and the background refresh all use; a refresh
// is the same fetch with no client waiting. How the response was produced is recorded in the
// transaction's `Path`; X-Cache, the access log and the counters all come from it in one place
// (conclude()).
//
// Spikes are absorbed here: a miss joins the coalescing table, so one request per key reaches
// the app and the others wait (at most lock_timeout) for its object; a key known to be
// uncacheable (hit-for-pass) skips the wait; an expired object within its grace window is served
// at once while exactly one background refresh runs; when the app fails, an expired object within
// its stale-if-error window is served instead of the error.
//
// Every request carries a request id (Transaction::request_id): the client's X-Request-Id when it
// is acceptable, else one from the worker's generator; it goes upstream as X-Request-Id on every
// fetch the request causes (a background refresh carries the id of the request that started it),
// back to the client as X-Request-Id, and into the access log. The app's own X-Request-Id in a
// response is not relayed or stored: the one sent is Larder's.
//
// One Pipeline per worker thread: it owns nothing shared but refers to the daemon-wide rule
// set, store and clock (`Shared`), to its worker's upstream::Source and counters. Every request
// gets exactly one response (or, when a relayed body breaks after its first byte, a closed
// connection) and exactly one access-log line. A response is read whole from the app server
// before its first byte goes to the client, up to upstream.buffer_size, so a slow client never
// holds an app server connection; larger bodies, and every passed response, are relayed from
// the exchange without becoming stored objects.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/cache/cache_policy.hpp"
#include "larder/cache/http_policy.hpp"
#include "larder/cache/store.hpp"
#include "larder/coding/pool.hpp"
#include "larder/config/config.hpp"
#include "larder/http/request.hpp"
#include "larder/obs/access_line.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/counters.hpp"
#include "larder/obs/request_id.hpp"
#include "larder/proxy/cache_status.hpp"
#include "larder/proxy/response_writer.hpp"
#include "larder/rules/ruleset.hpp"
#include "larder/upstream/source.hpp"

namespace spdlog {
class logger;
}

namespace larder::proxy {

// What every worker shares, read-only or internally synchronised.
struct Shared {
    const config::Config& config;
    const rules::RuleSet& rules;
    cache::Store& store;  // objects, flights and hit-for-pass markers, per key (store.hpp)
    const cache::HttpPolicyOptions& http_policy;  // RFC 9111 options, built once from [cache]
    const obs::Clock& clock;
    std::shared_ptr<spdlog::logger> access_log{};  // null when off
    const std::atomic<bool>* draining = nullptr;   // the daemon is stopping (set by main)
    // Counters::responses row of each rule by its index (obs/rule_rows.hpp); null: the index.
    const std::vector<std::uint32_t>* rule_rows = nullptr;
    // Where store-time compression runs (coding/pool.hpp); null: on the worker's thread.
    coding::Pool* compression_pool = nullptr;
};

struct ClientInfo {
    std::string_view ip;       // for X-Forwarded-For
    std::string_view address;  // "ip:port", for the access log
    bool draining = false;     // the daemon is shutting down: close after this response
};

// How a response was produced; conclude() turns it into X-Cache and a counter.
enum class Path {
    Hit,           // fresh from the store
    Grace,         // stale from the store while a refresh runs
    Coalesced,     // another request's fetch
    Miss,          // fetched as a cache candidate (stored or not)
    Pass,          // not a cache candidate, or a shared fetch this visitor could not use
    HitForPass,    // known uncacheable: straight to the app
    StaleOnError,  // the app failed; a stale object within its stale-if-error window
    Synthetic,     // Larder's own answer
};

// One access-log line's worth of facts about a request.
struct Transaction {
    int status = 0;
    std::uint64_t bytes_sent = 0;
    CacheStatus cache_status = CacheStatus::Pass;
    std::string_view reason;
    std::int64_t upstream_us = -1;
    // X-Request-Id: the client's when acceptable (obs/request_id.hpp), else generated. Sent
    // upstream on every fetch this request makes and back to the client.
    std::string_view request_id;
    std::optional<std::string_view> referer;
    std::optional<std::string_view> user_agent;
};

class Pipeline {
  public:
    Pipeline(const Shared& shared, upstream::Source& source, obs::Counters& counters);

    // Answers `request` through `writer`. Returns true when the connection may serve another
    // request.
    boost::asio::awaitable<bool> handle(const http::Request& request, const ClientInfo& client,
                                        ResponseWriter& writer);

    // Writes a response that Larder makes by itself (parse errors, timeouts) and logs it.
    // `request` may be null when the request never parsed.
    boost::asio::awaitable<void> reject(const http::Request* request, const ClientInfo& client,
                                        ResponseWriter& writer, int status,
                                        std::string_view reason);

    // What a background refresh keeps alive until it ends, besides this pipeline's own parts:
    // the owner of this pipeline (server::WorkerGeneration), so a reload cannot free it under
    // the refresh. Unset (tests): nothing.
    void keep_alive_with(std::weak_ptr<const void> owner) { owner_ = std::move(owner); }

    class FlightGuard;
    struct Task;
    struct FetchJob;
    struct Fetched;

  private:
    enum class Step { Receive, Lookup, Hit, Grace, Wait, Miss, Pass, Fetch, Deliver, Synth, Done };

    // The steps. Coroutine parameters are references to named locals of the caller: GCC 12 can
    // destroy a temporary in a co_await expression twice, so none is ever passed.
    Step receive(Task& t);
    Step lookup(Task& t);
    boost::asio::awaitable<Step> wait(Task& t);
    Step miss(Task& t);
    Step pass(Task& t);
    boost::asio::awaitable<Step> fetch(Task& t);
    boost::asio::awaitable<Step> deliver(Task& t);
    boost::asio::awaitable<Step> synth(Task& t);
    // Sets X-Cache, the reason and the counters from t.path: the one place that does.
    void conclude(Task& t);

    // The one fetch-and-store path: sends job's request, reads the response (whole up to the
    // buffer size), revalidates, judges it by the job's policy, stores it, completes the
    // job's flight. Used by every fetch, with or without a client.
    boost::asio::awaitable<void> fetch_and_store(FetchJob& job, Fetched& out);
    // Store-time content codings of `object` (not yet shared), on the compression pool when it
    // is worth the trip (cache/encode_at_store.hpp); a refusal when it may not be stored.
    boost::asio::awaitable<std::optional<cache::NoCacheReason>> encode_for_store(
        cache::ObjectDraft& object, const http::HeaderList& response_headers);
    // The representation of t.object this client accepts best (cache/encodings.hpp), counted.
    void choose_representation(Task& t);
    // [compression] pass: compresses a whole relayed body for this client when it is worth it
    // and fills fetched.coded_fields from `fields`; true when it did.
    boost::asio::awaitable<bool> compress_relayed(Task& t, Fetched& fetched,
                                                  const http::HeaderList& fields);
    // Hit-for-pass: the key's answers will not be storable for a while.
    void remember_uncacheable(FetchJob& job, obs::TimePoint now);
    void start_refresh(Task& t);
    boost::asio::awaitable<void> refresh(std::shared_ptr<FetchJob> job);
    boost::asio::awaitable<cache::ObjectPtr> wait_for_leader(const cache::FlightPtr& flight);

    boost::asio::awaitable<void> write_object(Task& t, const cache::ObjectPtr& object);
    // The client's Range over `body` (range_response.cpp): a 206 (one part, or
    // multipart/byteranges), or a 416. False, with nothing written, when the set is ignored.
    boost::asio::awaitable<bool> write_ranges(Task& t, std::string_view head,
                                              std::string_view body);
    // If-Range absent, or naming the object (strong ETag, or its exact Last-Modified date when
    // that is a strong validator).
    static bool if_range_holds(const http::Request& request, const cache::Object& object);
    boost::asio::awaitable<void> relay(Task& t, Fetched& fetched);
    // Appends the per-response fields (Content-Length of a stored object, Age, Via, X-Cache, …)
    // and the blank line.
    void append_tail(std::string& out, const Task& t, std::optional<std::int64_t> age,
                     std::optional<std::uint64_t> content_length = std::nullopt) const;
    boost::asio::awaitable<void> write_whole(std::string_view response, int status, Task& t);
    void invalidate_after(const http::Request& request, const upstream::SourceExchange& exchange);
    // [cache] store_post_responses: stores a passed POST's answer for later GETs of its URL when
    // the RFC and the privacy invariant allow it (post_reuse.cpp). True when stored.
    bool store_post_response(const Task& t, const Fetched& f, std::uint64_t purge_epoch);
    // Writes the request's access-log line (one per request, see obs/access_line.hpp).
    void log(const http::Request* request, const ClientInfo& client, const Transaction& tx,
             std::int64_t total_us);
    // An error-log line for a failed exchange, at most one a second per worker (a dead app
    // server at full load must not turn the error log into the bottleneck).
    void log_upstream_error(std::string_view method, std::string_view target,
                            upstream::UpstreamError error, std::string_view backend);

    const Shared& shared_;
    upstream::Source& source_;
    obs::Counters& counters_;
    cache::HttpPolicy http_policy_;
    obs::RequestIds request_ids_;           // this worker's ids: random prefix, counter
    obs::AccessLineFormatter access_line_;  // this worker's line buffer
    // Response fields that are Larder's and never reach a client (larders_fields()): the
    // targeted Cache-Control fields and the purge tag fields, as configured; built once.
    std::vector<std::string> larders_fields_;
    std::chrono::steady_clock::time_point last_error_log_{};
    std::uint64_t errors_not_logged_ = 0;
    std::weak_ptr<const void> owner_;
};

}  // namespace larder::proxy
