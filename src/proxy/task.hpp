// The pipeline's per-request state (Task), the job a fetch runs (FetchJob) and what it brought
// back (Fetched), and the guard that completes a coalescing flight exactly once. Private to
// src/proxy.
//
// Invariants: a Task lives in Pipeline::handle's coroutine frame and everything it refers to
// (request, client, writer, decision) outlives it. A FetchJob either borrows from its Task (a
// client's fetch) or owns copies of everything (a background refresh, which outlives the
// request that started it). `cacheable` is true exactly when the fetch may store: then the job's
// request is the AnonymousRequest's and `policy` is set.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "larder/cache/cache_policy.hpp"
#include "larder/cache/key.hpp"
#include "larder/cache/store.hpp"
#include "larder/proxy/anonymous_request.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

// Ends a flight of the store exactly once, on every path out of a fetch (success, refusal,
// upstream error, a client gone, a coroutine destroyed at shutdown): waiters are never left to
// run into their lock_timeout.
class Pipeline::FlightGuard {
  public:
    FlightGuard(cache::Store& store, cache::FlightPtr flight)
        : store_(store), flight_(std::move(flight)) {}
    FlightGuard(const FlightGuard&) = delete;
    FlightGuard& operator=(const FlightGuard&) = delete;
    ~FlightGuard() { hand_over(nullptr); }

    // Stores `object` (nullptr: none; `uncacheable`: mark the key hit-for-pass) and hands it to
    // every waiter. True when stored. Later calls do nothing.
    bool complete(cache::ObjectPtr object, bool uncacheable, obs::TimePoint now) {
        if (!flight_) return false;
        auto flight = std::move(flight_);
        return store_.complete(flight, std::move(object), uncacheable, now);
    }
    // Hands `answer` to the waiters without storing it (a stale object on an app failure), or
    // nullptr: "fetch on your own".
    void hand_over(cache::ObjectPtr answer) {
        if (!flight_) return;
        auto flight = std::move(flight_);
        store_.hand_over(flight, std::move(answer));
    }

  private:
    cache::Store& store_;
    cache::FlightPtr flight_;
};

struct Pipeline::Task {
    const http::Request& request;
    const ClientInfo& client;
    ResponseWriter& writer;
    boost::asio::any_io_executor executor{};  // the worker's, for background refreshes
    bool keep_alive = true;

    rules::Decision decision{};
    // Cache candidates only: the request a shared fetch sends, and the policy in force.
    std::optional<AnonymousRequest> anonymous{};
    std::optional<cache::RuleTtlPolicy> rule_policy{};
    const cache::CachePolicy* policy = nullptr;
    cache::RequestDirectives directives{};
    obs::TimePoint now{};

    bool cacheable = false;             // the next fetch may store
    cache::ObjectPtr object{};          // what Deliver writes
    std::optional<std::int64_t> age{};  // its Age field, when it comes from the store
    cache::ObjectPtr stale{};           // a kept object: revalidated, or served when the app fails
    bool revalidate = false;            // send the stale object's validators upstream
    cache::Key key{};                   // the decision's key, hashed once
    std::optional<FlightGuard> flight{};  // this request leads that flight (Miss)
    cache::FlightPtr following{};         // Wait: the flight to wait for
    cache::FlightPtr refreshing{};        // Grace: this request starts the refresh of that flight

    Path path = Path::Pass;
    int synth_status = 0;
    bool concluded = false;
    Transaction tx{};
};

struct Pipeline::FetchJob {
    std::string head{};                       // request line and fields as sent
    http::HeaderList sent{};                  // views into `head`: what Vary variants are chosen by
    http::BodyView body{};                    // the client's body, in memory or spooled
    http::Method method = http::Method::Get;  // as sent
    bool idempotent = true;
    bool head_request = false;  // a passed HEAD: the response has no body
    std::string_view hash_key{};
    std::size_t buffer_limit = 0;
    upstream::InterimSink* interim = nullptr;  // a client's fetch: its InterimRelay

    // Set when the response may be stored.
    const cache::CachePolicy* policy = nullptr;
    cache::Key key{};
    std::string url{};        // where the object is found again (RuleSet::url_of)
    std::string url_query{};  // its query as its rule normalises it
    bool strip_set_cookie = false;
    std::string rule_name{};
    bool request_no_store = false;
    cache::ObjectPtr stale{};
    bool revalidate = false;
    FlightGuard* flight = nullptr;

    // A refresh owns what a client's fetch borrows.
    std::optional<cache::RuleTtlPolicy> own_policy{};
    std::optional<FlightGuard> own_flight{};
};

struct Pipeline::Fetched {
    upstream::UpstreamError error = upstream::UpstreamError::None;
    std::unique_ptr<upstream::SourceExchange> exchange;
    std::string body;         // read so far: all of it when `complete`
    bool complete = false;    // the whole response was read (and the exchange finished)
    bool app_failed = false;  // no response, or a 5xx
    cache::ObjectPtr object;  // cache candidates with a complete, usable response
    std::optional<cache::NoCacheReason> refusal;
    bool revalidated = false;  // a 304 refreshed the stale object
    obs::TimePoint response_time{};
    std::uint64_t purge_epoch = 0;  // the store's purge epoch when the request left
    std::int64_t upstream_us = -1;
    std::optional<http::HeaderList> relayed_fields;  // the app's fields as relayed (views)
    // [compression] pass: `body` was compressed for this client; the fields relayed instead
    // (views into the exchange, and into `coded_etag` for the ETag).
    std::optional<http::HeaderList> coded_fields;
    std::string coded_etag;
};

}  // namespace larder::proxy
