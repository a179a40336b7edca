// proxy::Pipeline: the journey of one request, as one explicit sequence of steps.
//
//   recv → decide (rules) → lookup (store) → hit | stale | miss | pass → fetch (upstream) →
//   store? → deliver → log
//
// Spikes are absorbed here: a miss joins the coalescing table, so one request per key reaches
// the app and the others wait (at most lock_timeout) for its object; a key known to be
// uncacheable (hit-for-pass) skips the wait; an expired object within its grace window is served
// at once while exactly one background refresh runs; when the app fails, an expired object within
// its stale-if-error window is served instead of the error.
//
// One Pipeline per worker thread: it owns nothing shared but refers to the daemon-wide rule
// set, store and clock (`Shared`) and to its worker's upstream pool and counters. Every request
// gets exactly one response (or, when a relayed body breaks after its first byte, a closed
// connection) and exactly one access-log line. A response is read whole from the app server
// before its first byte goes to the client, up to upstream.buffer_size, so a slow client never
// holds an app server connection; larger bodies are relayed as they arrive.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "larder/cache/http_policy.hpp"
#include "larder/cache/lock.hpp"
#include "larder/cache/predictor.hpp"
#include "larder/cache/store.hpp"
#include "larder/config/config.hpp"
#include "larder/http/request.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/counters.hpp"
#include "larder/proxy/cache_status.hpp"
#include "larder/proxy/response_writer.hpp"
#include "larder/rules/ruleset.hpp"
#include "larder/upstream/exchange.hpp"
#include "larder/upstream/pool.hpp"

namespace spdlog {
class logger;
}

namespace larder::proxy {

// What every worker shares, read-only or internally synchronised.
struct Shared {
    const config::Config& config;
    const rules::RuleSet& rules;
    cache::Store& store;
    cache::CoalescingTable& flights;
    cache::UncacheablePredictor& predictor;
    const cache::HttpPolicyOptions& http_policy;  // RFC 9111 options, built once from [cache]
    const obs::Clock& clock;
    std::shared_ptr<spdlog::logger> access_log;   // null when off
    const std::atomic<bool>* draining = nullptr;  // the daemon is stopping (set by main)
};

struct ClientInfo {
    std::string_view ip;       // for X-Forwarded-For
    std::string_view address;  // "ip:port", for the access log
    bool draining = false;     // the daemon is shutting down: close after this response
};

// One access-log line's worth of facts about a request.
struct Transaction {
    int status = 0;
    std::uint64_t bytes_sent = 0;
    CacheStatus cache_status = CacheStatus::Pass;
    std::string_view reason;
    std::int64_t upstream_us = -1;
};

class Pipeline {
  public:
    Pipeline(const Shared& shared, upstream::Pool& pool, obs::Counters& counters);

    // Answers `request` through `writer`. Returns true when the connection may serve another
    // request.
    boost::asio::awaitable<bool> handle(const http::Request& request, const ClientInfo& client,
                                        ResponseWriter& writer);

    // Writes a response that Larder makes by itself (parse errors, timeouts) and logs it.
    // `request` may be null when the request never parsed.
    boost::asio::awaitable<void> reject(const http::Request* request, const ClientInfo& client,
                                        ResponseWriter& writer, int status,
                                        std::string_view reason);

  private:
    class FlightGuard;
    // What the fetch step needs to know about the request's place in the cache.
    struct Attempt {
        const rules::Decision& decision;
        bool cacheable = false;
        cache::ObjectPtr stale;         // a kept object: served on app failure, or revalidated
        bool revalidate = false;        // send the stale object's validators upstream
        bool request_no_store = false;  // the client said no-store (and it is honoured)
        FlightGuard* flight = nullptr;  // set when this request leads a coalesced fetch
        // When cacheable: the request as sent upstream, without the visitor's cookies
        // (AnonymousRequest); `visitor_stripped` says that differs from the client's.
        const http::Request* shared_request = nullptr;
        bool visitor_stripped = false;
    };
    // How a stored object may answer this request.
    struct Reuse {
        enum class Kind { Fresh, Grace, Miss } kind = Kind::Miss;
        std::int64_t age = 0;     // seconds, for Fresh and Grace
        bool revalidate = false;  // Miss: the stale object has validators worth sending
    };

    Reuse judge(const cache::ObjectPtr& object, const rules::Decision& decision,
                const cache::RequestDirectives& directives, bool has_authorization,
                obs::TimePoint now) const;
    boost::asio::awaitable<void> hit(const cache::ObjectPtr& object, std::int64_t age,
                                     const http::Request& request, ResponseWriter& writer,
                                     Transaction& tx, bool keep_alive);
    // Coroutine parameters here are references to named locals of the caller: GCC 12 can destroy
    // a temporary in a co_await expression twice, so none is ever passed.
    boost::asio::awaitable<void> miss(const http::Request& request, Attempt& attempt,
                                      const ClientInfo& client, ResponseWriter& writer,
                                      Transaction& tx, bool& keep_alive);
    boost::asio::awaitable<cache::ObjectPtr> wait_for_leader(
        const std::shared_ptr<cache::Flight>& flight);
    void refresh_in_background(const http::Request& request, const rules::Decision& decision,
                               std::string_view client_ip,
                               const boost::asio::any_io_executor& executor);
    boost::asio::awaitable<void> refresh(std::string head, rules::Decision decision,
                                         std::shared_ptr<cache::Flight> flight);
    boost::asio::awaitable<void> fetch(const http::Request& request, const Attempt& attempt,
                                       const ClientInfo& client, ResponseWriter& writer,
                                       Transaction& tx, bool& keep_alive);
    // Facts about one upstream exchange that storing its response needs.
    struct Fetched {
        http::Method method = http::Method::Get;  // as sent upstream
        bool request_has_authorization = false;
        bool request_no_store = false;
        const http::HeaderList* request_headers = nullptr;  // as sent upstream, for Vary
        obs::TimePoint request_time{};
        obs::TimePoint response_time{};
    };
    // Builds the object for a complete upstream response and stores it when `decision` (null
    // for a pass) allows and the response is storable; `refusal` says why it was not stored.
    cache::ObjectPtr admit(upstream::Exchange& exchange, std::string body,
                           const rules::Decision* decision, const Fetched& fetched,
                           std::optional<cache::NoCacheReason>& refusal);
    // Sets the stale windows of a rule-TTL object from its decision.
    void set_rule_windows(cache::Object& object, const rules::Decision& decision) const;
    boost::asio::awaitable<void> deliver(const cache::ObjectPtr& object,
                                         const http::Request& request, ResponseWriter& writer,
                                         Transaction& tx, bool keep_alive,
                                         std::optional<std::int64_t> age);
    // Appends the per-response fields (Age, Via, X-Cache, …) and the blank line for `tx`.
    void append_tail(std::string& out, const Transaction& tx, const http::Request& request,
                     bool keep_alive, std::optional<std::int64_t> age = std::nullopt) const;
    boost::asio::awaitable<void> write_whole(std::string_view response, int status,
                                             ResponseWriter& writer, Transaction& tx);
    // A visitor whose cookies the fetch dropped gets no Set-Cookie (`strip_set_cookie`): it was
    // meant for a cookieless visitor and would replace theirs.
    boost::asio::awaitable<void> relay_stream(upstream::Exchange& exchange, std::string& body,
                                              const http::Request& request, ResponseWriter& writer,
                                              Transaction& tx, bool& keep_alive,
                                              bool strip_set_cookie);
    // After a shared fetch for a visitor with cookies came back unstorable: their own page.
    boost::asio::awaitable<void> fetch_own_page(const http::Request& request, const Attempt& a,
                                                const ClientInfo& client, ResponseWriter& writer,
                                                Transaction& tx, bool& keep_alive);
    void invalidate_after(const http::Request& request, const upstream::Exchange& exchange);
    void log(const http::Request* request, const ClientInfo& client, const Transaction& tx,
             std::int64_t total_us) const;
    // An error-log line for a failed exchange, at most one a second per worker (a dead app
    // server at full load must not turn the error log into the bottleneck).
    void log_upstream_error(const http::Request& request, upstream::UpstreamError error,
                            std::string_view backend);

    const Shared& shared_;
    upstream::Pool& pool_;
    obs::Counters& counters_;
    std::chrono::steady_clock::time_point last_error_log_{};
    std::uint64_t errors_not_logged_ = 0;
};

}  // namespace larder::proxy
