// The state machine (handle), its first steps (receive, lookup, miss, pass), the one place that
// names how a response was produced (conclude), and the logs.
#include "larder/proxy/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/this_coro.hpp>
#include <cassert>
#include <chrono>

#include "larder/cache/conditional.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/proxy/node_identity.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
static_assert(kCacheStatusCount == obs::kCacheStatusCount);
static_assert(static_cast<std::size_t>(CacheStatus::Error) + 1 == kCacheStatusCount);
using SteadyClock = std::chrono::steady_clock;

namespace {
// RFC 9110 section 7.2: Host is uri-host [ ":" port ]. Anything else (a '/', '?', '#', '@',
// whitespace, control bytes) could make one page's key out of another's path: 400.
constexpr std::array<bool, 256> host_bytes() {
    std::array<bool, 256> ok{};
    for (int c = 'a'; c <= 'z'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (char c : std::string_view("-._~%!$&'()*+,;=[]:")) ok[static_cast<unsigned char>(c)] = true;
    return ok;
}
constexpr std::array<bool, 256> kHostBytes = host_bytes();

bool valid_host(std::string_view host) {
    for (unsigned char c : host)
        if (!kHostBytes[c]) return false;
    return true;
}

std::int64_t micros_since(SteadyClock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count();
}

// The fields the access log and the request id need, found in one pass over the header list
// (names are told apart by length first; the first of each wins).
struct LoggedFields {
    std::optional<std::string_view> request_id;
    std::optional<std::string_view> referer;
    std::optional<std::string_view> user_agent;
};

LoggedFields logged_fields(const http::HeaderList& headers) {
    LoggedFields out;
    for (const auto& h : headers) {
        switch (h.name.size()) {
            case 7:
                if (!out.referer && http::iequals(h.name, "referer")) out.referer = h.value;
                break;
            case 10:
                if (!out.user_agent && http::iequals(h.name, "user-agent"))
                    out.user_agent = h.value;
                break;
            case 12:
                if (!out.request_id && http::iequals(h.name, "x-request-id"))
                    out.request_id = h.value;
                break;
            default:
                break;
        }
    }
    return out;
}

obs::LogFormat log_format(const config::Config& config) {
    return obs::log_format_from_string(config.log.format).value_or(obs::LogFormat::Text);
}

// CDN-Cache-Control and Surrogate-Control ([cache] strip_targeted_headers) and the purge tag
// fields ([purge] strip_tag_headers) are Larder's, not the client's.
std::vector<std::string> larders_fields(const Shared& shared) {
    std::vector<std::string> fields;
    if (shared.http_policy.strip_targeted_headers) {
        fields.emplace_back("cdn-cache-control");
        fields.emplace_back("surrogate-control");
    }
    if (shared.config.purge.strip_tag_headers)
        fields.insert(fields.end(), shared.config.purge.tag_headers.begin(),
                      shared.config.purge.tag_headers.end());
    return fields;
}
}  // namespace

Pipeline::Pipeline(const Shared& shared, upstream::Source& source, obs::Counters& counters)
    : shared_(shared),
      source_(source),
      counters_(counters),
      http_policy_(shared.http_policy),
      access_line_(log_format(shared.config)),
      larders_fields_(larders_fields(shared)) {}

asio::awaitable<bool> Pipeline::handle(const http::Request& request, const ClientInfo& client,
                                       ResponseWriter& writer) {
    auto t0 = SteadyClock::now();
    obs::Counters::bump(counters_.requests);
    // No co_await inside the initializer: GCC 12 mishandles aggregates built around one.
    asio::any_io_executor executor = co_await asio::this_coro::executor;
    Task t{.request = request,
           .client = client,
           .writer = writer,
           .executor = executor,
           .keep_alive = request.keep_alive && !client.draining};
    LoggedFields logged = logged_fields(request.headers);
    obs::RequestIds::Id own_id;  // lives in this frame, as long as the Task
    if (logged.request_id && obs::acceptable_request_id(*logged.request_id)) {
        t.tx.request_id = *logged.request_id;
    } else {
        own_id = request_ids_.next();
        t.tx.request_id = own_id.view();
    }
    t.tx.referer = logged.referer;
    t.tx.user_agent = logged.user_agent;
    Step step = Step::Receive;
    while (step != Step::Done) {
        switch (step) {
            case Step::Receive:
                step = receive(t);
                break;
            case Step::Lookup:
                step = lookup(t);
                break;
            case Step::Grace:
                start_refresh(t);
                step = Step::Deliver;
                break;
            case Step::Hit:
                step = Step::Deliver;
                break;
            case Step::Wait:
                step = co_await wait(t);
                break;
            case Step::Miss:
                step = miss(t);
                break;
            case Step::Pass:
                step = pass(t);
                break;
            case Step::Fetch:
                step = co_await fetch(t);
                break;
            case Step::Deliver:
                step = co_await deliver(t);
                break;
            case Step::Synth:
                step = co_await synth(t);
                break;
            case Step::Done:
                break;
        }
    }
    assert(t.concluded);
    log(&request, client, t.tx, micros_since(t0));
    // The connection is reusable only after a response was written whole.
    co_return t.keep_alive&& t.tx.status != 0;
}

Pipeline::Step Pipeline::receive(Task& t) {
    if (t.request.method == http::Method::Connect) {  // Larder is no tunnel
        t.path = Path::Synthetic;
        t.synth_status = 405;
        t.tx.reason = "connect_not_supported";
        t.keep_alive = false;
        return Step::Synth;
    }
    if (check_loop(t.request.headers, node_identity().name) == NodeRefusal::ViaLoop) {
        loops_refused().fetch_add(1, std::memory_order_relaxed);
        t.path = Path::Synthetic;
        t.synth_status = 508;
        t.tx.reason = to_string(NodeRefusal::ViaLoop);
        t.keep_alive = false;
        return Step::Synth;
    }
    if (!valid_host(t.request.host())) {  // before it can reach a key
        t.path = Path::Synthetic;
        t.synth_status = 400;
        t.tx.reason = "invalid_host";
        t.keep_alive = false;
        return Step::Synth;
    }
    t.decision = shared_.rules.decide(t.request);
    if (t.decision.action != rules::Action::Cache) {
        t.tx.reason = t.decision.why();
        return Step::Pass;
    }
    const rules::Decision& d = t.decision;
    t.tx.reason = d.rule_name.empty() ? rules::to_string(d.reason) : d.rule_name;
    std::optional<std::string> query;
    if (!t.request.query.empty())
        query = shared_.rules.normalised_query(d.rule_name, t.request.query);
    t.anonymous.emplace(t.request, *d.forwarded_cookies, std::move(query));
    if (d.follow_origin) {
        t.policy = &http_policy_;
    } else {
        const auto& cache = shared_.config.cache;
        t.rule_policy.emplace(cache::RuleTtlPolicy::Windows{d.ttl, d.grace, d.stale_if_error},
                              cache::StorableLimits{.max_object_size = cache.max_object_size,
                                                    .cacheable_status = &cache.cacheable_status});
        t.policy = &*t.rule_policy;
    }
    t.directives = t.policy->directives(t.request);
    t.cacheable = true;
    return Step::Lookup;
}

Pipeline::Step Pipeline::lookup(Task& t) {
    t.now = shared_.clock.now();
    t.key = cache::Key::from(std::move(t.decision.key));  // the decision's copy is not used again
    // The policy's verdict on the variant's object, taken under the shard lock (cheap, pure).
    cache::ReuseVerdict reuse;
    auto judge = [&](const cache::Object& object) {
        reuse = t.policy->judge_reuse(object, t.directives, t.now);
        switch (reuse.kind) {
            case cache::ReuseVerdict::Kind::Fresh:
                return cache::Usability::Fresh;
            case cache::ReuseVerdict::Kind::Grace:
                return cache::Usability::Grace;
            case cache::ReuseVerdict::Kind::Revalidate:
            case cache::ReuseVerdict::Kind::Unusable:  // for this request only: keep it
                return cache::Usability::Stale;
        }
        return cache::Usability::Stale;
    };
    cache::Lookup found =
        shared_.store.lookup_or_join(t.key, t.anonymous->get().headers, judge, t.now);
    using Kind = cache::Lookup::Kind;
    switch (found.kind) {
        case Kind::Hit:
            t.object = std::move(found.object);
            t.age = reuse.age;
            t.path = Path::Hit;
            return Step::Hit;
        case Kind::Grace:
            t.object = std::move(found.object);
            t.age = reuse.age;
            t.path = Path::Grace;
            t.refreshing = std::move(found.flight);
            return Step::Grace;
        case Kind::Leader:
        case Kind::Follower:
        case Kind::HitForPass:
            break;
    }
    if (found.kind == Kind::Leader) t.flight.emplace(shared_.store, std::move(found.flight));
    if (t.directives.only_if_cached) {  // nothing servable: the leader's flight ends unused
        t.flight.reset();
        t.path = Path::Synthetic;
        t.synth_status = 504;
        t.tx.reason = "only_if_cached";
        return Step::Synth;
    }
    if (found.object && reuse.kind == cache::ReuseVerdict::Kind::Revalidate) {
        t.stale = std::move(found.object);
        t.revalidate = reuse.has_validator;
    }
    if (found.kind == Kind::Follower) {
        t.following = std::move(found.flight);
        return Step::Wait;
    }
    if (found.kind == Kind::HitForPass) {
        // A visitor whose cookies a shared fetch would drop gets their own page, never stored;
        // one without them may still refill the key if the app changed its mind. A Range or a
        // precondition goes to the app as sent (too large to store: the app serves the range),
        // since no stored object will answer it.
        t.path = Path::HitForPass;
        t.cacheable = !t.anonymous->stripped() && !t.request.has(http::Field::Range) &&
                      !cache::has_preconditions(t.request);
        return t.cacheable ? Step::Fetch : Step::Pass;
    }
    return Step::Miss;
}

Pipeline::Step Pipeline::miss(Task& t) {
    t.path = Path::Miss;
    return Step::Fetch;
}

Pipeline::Step Pipeline::pass(Task& t) {
    if (t.path != Path::HitForPass) t.path = Path::Pass;
    t.cacheable = false;
    return Step::Fetch;
}

void Pipeline::conclude(Task& t) {
    if (t.concluded) return;
    t.concluded = true;
    switch (t.path) {
        case Path::Hit:
            t.tx.cache_status = CacheStatus::Hit;
            counters_.top_keys.record(t.key.text, t.key.hash);
            break;
        case Path::Grace:
            t.tx.cache_status = CacheStatus::Stale;
            counters_.top_keys.record(t.key.text, t.key.hash);
            break;
        case Path::StaleOnError:
            t.tx.cache_status = CacheStatus::Stale;
            t.tx.reason = "stale_if_error";
            break;
        case Path::Coalesced:
            t.tx.cache_status = CacheStatus::Coalesced;
            break;
        case Path::Miss:
            t.tx.cache_status = CacheStatus::Miss;
            break;
        case Path::Pass:
            t.tx.cache_status = CacheStatus::Pass;
            break;
        case Path::HitForPass:
            t.tx.cache_status = CacheStatus::HitForPass;
            break;
        case Path::Synthetic:
            t.tx.cache_status = CacheStatus::Error;
            break;
    }
    std::uint32_t row = t.decision.rule_index;
    if (shared_.rule_rows && row < shared_.rule_rows->size()) row = (*shared_.rule_rows)[row];
    counters_.count_response(row, static_cast<std::size_t>(t.tx.cache_status));
}

asio::awaitable<void> Pipeline::reject(const http::Request* request, const ClientInfo& client,
                                       ResponseWriter& writer, int status,
                                       std::string_view reason) {
    obs::Counters::bump(counters_.client_errors);
    counters_.count_response(obs::Counters::kNoRule, static_cast<std::size_t>(CacheStatus::Error));
    LoggedFields logged;
    if (request) logged = logged_fields(request->headers);
    obs::RequestIds::Id own_id;
    std::string_view request_id;
    if (logged.request_id && obs::acceptable_request_id(*logged.request_id)) {
        request_id = *logged.request_id;
    } else {
        own_id = request_ids_.next();
        request_id = own_id.view();
    }
    std::string response =
        error_response(status, reason, true, shared_.config.server.debug_headers, request_id);
    std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
    bool ok = co_await writer.write(buffers);
    Transaction tx{.status = status,
                   .bytes_sent = ok ? response.size() : 0,
                   .cache_status = CacheStatus::Error,
                   .reason = reason,
                   .request_id = request_id,
                   .referer = logged.referer,
                   .user_agent = logged.user_agent};
    log(request, client, tx, 0);
}

void Pipeline::log_upstream_error(std::string_view method, std::string_view target,
                                  upstream::UpstreamError error, std::string_view backend) {
    auto now = SteadyClock::now();
    if (now - last_error_log_ < std::chrono::seconds(1)) {
        ++errors_not_logged_;
        return;
    }
    last_error_log_ = now;
    spdlog::warn("upstream {}: {} {}: {} (status {}){}", backend.empty() ? "-" : backend, method,
                 target, upstream::to_string(error), upstream::status_for(error),
                 errors_not_logged_ ? fmt::format("; {} more upstream errors in the last second",
                                                  errors_not_logged_)
                                    : std::string());
    errors_not_logged_ = 0;
}

void Pipeline::log(const http::Request* request, const ClientInfo& client, const Transaction& tx,
                   std::int64_t total_us) {
    if (!shared_.access_log) return;
    obs::AccessRecord record;
    record.time = std::chrono::system_clock::now();
    record.address = client.address;
    record.status = tx.status;
    record.bytes = tx.bytes_sent;
    record.referer = tx.referer;
    record.user_agent = tx.user_agent;
    record.total_us = total_us;
    record.upstream_us = tx.upstream_us;
    record.cache = to_string(tx.cache_status);
    record.reason = tx.reason;
    record.request_id = tx.request_id;
    if (request) {
        record.method = request->method_text;
        record.target = request->target;
        record.version_major = request->version_major;
        record.version_minor = request->version_minor;
        record.host = request->field(http::Field::Host);
    }
    shared_.access_log->info(access_line_.format(record));
}

}  // namespace larder::proxy
