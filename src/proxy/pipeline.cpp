// The pipeline's first steps: decide, look up, and the hit, stale and pass branches; delivery of
// stored objects; Larder's own answers; the access log.
#include "larder/proxy/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "larder/cache/conditional.hpp"
#include "larder/proxy/anonymous_request.hpp"
#include "larder/proxy/messages.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {
bool has_token(const http::HeaderList& headers, std::string_view field, std::string_view token) {
    for (const auto& h : headers)
        if (http::iequals(h.name, field) && http::has_token(h.value, token)) return true;
    return false;
}

std::int64_t micros_since(SteadyClock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count();
}
}  // namespace

Pipeline::Pipeline(const Shared& shared, upstream::Pool& pool, obs::Counters& counters)
    : shared_(shared), pool_(pool), counters_(counters) {}

asio::awaitable<bool> Pipeline::handle(const http::Request& request, const ClientInfo& client,
                                       ResponseWriter& writer) {
    auto t0 = SteadyClock::now();
    obs::Counters::bump(counters_.requests);
    Transaction tx;
    bool keep_alive = request.keep_alive && !client.draining;

    if (request.method == http::Method::Connect) {
        co_await reject(&request, client, writer, 405, "connect_not_supported");
        co_return false;
    }

    rules::Decision decision = shared_.rules.decide(request);
    if (decision.action != rules::Action::Cache) {
        obs::Counters::bump(counters_.cache_passes);
        tx.cache_status = CacheStatus::Pass;
        tx.reason = decision.why();
        Attempt attempt{.decision = decision};  // named: no temporaries across co_await (GCC 12)
        co_await fetch(request, attempt, client, writer, tx, keep_alive);
        log(&request, client, tx, micros_since(t0));
        co_return keep_alive&& tx.status != 0;
    }
    tx.reason = decision.rule_name.empty() ? rules::to_string(decision.reason) : decision.rule_name;
    // What a fetch that may be stored sends, and what Vary variants are chosen by.
    AnonymousRequest anonymous(request, *decision.forwarded_cookies);
    const http::Request& shared_request = anonymous.get();
    auto now = shared_.clock.now();
    bool has_authorization = false;  // decide() passes requests with credentials
    cache::RequestDirectives directives;
    if (decision.follow_origin)  // a rule's forced TTL is not the client's to override
        directives = cache::parse_request_directives(request.headers, shared_.http_policy.client);
    else
        directives.only_if_cached = has_token(request.headers, "cache-control", "only-if-cached");

    cache::ObjectPtr object =
        decision.follow_origin
            ? shared_.store.lookup_servable(
                  shared_.store.resolve_variant(decision.key, shared_request.headers), now)
            : shared_.store.lookup_servable(decision.key, now);
    Reuse reuse = judge(object, decision, directives, has_authorization, now);
    if (directives.only_if_cached && reuse.kind == Reuse::Kind::Miss) {
        tx.cache_status = CacheStatus::Error;
        tx.reason = "only_if_cached";
        std::string response =
            error_response(504, tx.reason, !keep_alive, shared_.config.server.debug_headers);
        co_await write_whole(response, 504, writer, tx);
    } else if (reuse.kind == Reuse::Kind::Fresh) {
        obs::Counters::bump(counters_.cache_hits);
        tx.cache_status = CacheStatus::Hit;
        co_await hit(object, reuse.age, request, writer, tx, keep_alive);
    } else if (reuse.kind == Reuse::Kind::Grace) {
        obs::Counters::bump(counters_.cache_stale);
        tx.cache_status = CacheStatus::Stale;
        refresh_in_background(shared_request, decision, client.ip,
                              co_await asio::this_coro::executor);
        co_await hit(object, reuse.age, request, writer, tx, keep_alive);
    } else if (shared_.predictor.predicts_uncacheable(decision.key, now)) {
        // Asked only on a miss: a stored object already proves the key cacheable.
        obs::Counters::bump(counters_.cache_hit_for_pass);
        tx.cache_status = CacheStatus::HitForPass;
        // A visitor whose cookies a shared fetch would drop gets their own page, never stored;
        // a visitor without them may still refill the key if the app changed its mind.
        Attempt attempt{.decision = decision,
                        .cacheable = !anonymous.stripped(),
                        .stale = std::move(object),
                        .shared_request = &shared_request};
        co_await fetch(request, attempt, client, writer, tx, keep_alive);
    } else {
        Attempt attempt{.decision = decision,
                        .cacheable = true,
                        .stale = std::move(object),
                        .revalidate = reuse.revalidate,
                        .request_no_store = directives.no_store,
                        .shared_request = &shared_request,
                        .visitor_stripped = anonymous.stripped()};
        co_await miss(request, attempt, client, writer, tx, keep_alive);
    }
    log(&request, client, tx, micros_since(t0));
    co_return keep_alive&& tx.status != 0;
}

Pipeline::Reuse Pipeline::judge(const cache::ObjectPtr& object, const rules::Decision& decision,
                                const cache::RequestDirectives& directives, bool has_authorization,
                                obs::TimePoint now) const {
    if (!object) return {};
    bool has_validator = object->meta.parsed &&
                         (!object->meta.etag.empty() || object->meta.last_modified.has_value());
    if (decision.follow_origin && object->meta.parsed) {  // RFC 9111 section 4
        cache::ReuseDecision d = cache::can_reuse(object->meta, directives, has_authorization, now);
        switch (d.reuse) {
            case cache::Reuse::Fresh:
            case cache::Reuse::StaleByRequest:
                return {Reuse::Kind::Fresh, d.age.count(), false};
            case cache::Reuse::Revalidate:
                if (cache::within_stale_while_revalidate(object->meta, d, now))
                    return {Reuse::Kind::Grace, d.age.count(), false};
                return {Reuse::Kind::Miss, 0, has_validator};
            case cache::Reuse::Unusable:
                return {};
        }
    }
    auto age = std::chrono::duration_cast<std::chrono::seconds>(now - object->stored_at).count();
    if (object->fresh(now)) return {Reuse::Kind::Fresh, age, false};
    if (object->servable_in_grace(now)) return {Reuse::Kind::Grace, age, false};
    return {Reuse::Kind::Miss, 0, has_validator};
}

asio::awaitable<void> Pipeline::hit(const cache::ObjectPtr& object, std::int64_t age,
                                    const http::Request& request, ResponseWriter& writer,
                                    Transaction& tx, bool keep_alive) {
    if (object->meta.parsed &&
        cache::evaluate_conditional(request, *object) == cache::ClientCondition::NotModified) {
        std::string response = cache::not_modified_head(*object);
        append_tail(response, tx, request, keep_alive, age);
        co_await write_whole(response, 304, writer, tx);
        co_return;
    }
    co_await deliver(object, request, writer, tx, keep_alive, age);
}

void Pipeline::append_tail(std::string& out, const Transaction& tx, const http::Request& request,
                           bool keep_alive, std::optional<std::int64_t> age) const {
    // A drain that started while this request was at the app still closes the connection after
    // it: say so in the response.
    bool draining = shared_.draining && shared_.draining->load(std::memory_order_relaxed);
    append_response_tail(out, {.status = tx.cache_status,
                               .reason = tx.reason,
                               .debug_headers = shared_.config.server.debug_headers,
                               .age = age,
                               .keep_alive = keep_alive && !draining,
                               .http10_client = request.version_minor == 0});
}

asio::awaitable<void> Pipeline::write_whole(std::string_view response, int status,
                                            ResponseWriter& writer, Transaction& tx) {
    std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
    bool ok = co_await writer.write(buffers);
    tx.status = ok ? status : 0;
    tx.bytes_sent = ok ? response.size() : 0;
}

asio::awaitable<void> Pipeline::deliver(const cache::ObjectPtr& object,
                                        const http::Request& request, ResponseWriter& writer,
                                        Transaction& tx, bool keep_alive,
                                        std::optional<std::int64_t> age) {
    std::string tail;
    tail.reserve(128);
    append_tail(tail, tx, request, keep_alive, age);
    bool with_body = request.method != http::Method::Head;
    std::array<asio::const_buffer, 3> buffers{asio::buffer(object->head), asio::buffer(tail),
                                              asio::buffer(object->body)};
    bool ok = co_await writer.write(std::span(buffers.data(), with_body ? 3 : 2));
    tx.status = ok ? object->status : 0;
    tx.bytes_sent =
        ok ? object->head.size() + tail.size() + (with_body ? object->body.size() : 0) : 0;
}

asio::awaitable<void> Pipeline::reject(const http::Request* request, const ClientInfo& client,
                                       ResponseWriter& writer, int status,
                                       std::string_view reason) {
    obs::Counters::bump(counters_.client_errors);
    std::string response =
        error_response(status, reason, true, shared_.config.server.debug_headers);
    std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
    bool ok = co_await writer.write(buffers);
    Transaction tx{.status = status,
                   .bytes_sent = ok ? response.size() : 0,
                   .cache_status = CacheStatus::Error,
                   .reason = reason};
    log(request, client, tx, 0);
}

void Pipeline::log_upstream_error(const http::Request& request, upstream::UpstreamError error,
                                  std::string_view backend) {
    auto now = SteadyClock::now();
    if (now - last_error_log_ < std::chrono::seconds(1)) {
        ++errors_not_logged_;
        return;
    }
    last_error_log_ = now;
    spdlog::warn("upstream {}: {} {}: {} (status {}){}", backend.empty() ? "-" : backend,
                 request.method_text, request.target, upstream::to_string(error),
                 upstream::status_for(error),
                 errors_not_logged_ ? fmt::format("; {} more upstream errors in the last second",
                                                  errors_not_logged_)
                                    : std::string());
    errors_not_logged_ = 0;
}

void Pipeline::log(const http::Request* request, const ClientInfo& client, const Transaction& tx,
                   std::int64_t total_us) const {
    if (!shared_.access_log) return;
    std::string_view method = request ? request->method_text : "-";
    std::string_view target = request ? request->target : "-";
    unsigned major = request ? request->version_major : 1;
    unsigned minor = request ? request->version_minor : 1;
    std::string_view reason = tx.reason.empty() ? std::string_view("-") : tx.reason;
    bool quote = reason.find(' ') != std::string_view::npos;  // rule names may hold spaces
    shared_.access_log->info("{} \"{} {} HTTP/{}.{}\" {} {} {} {}{}{} upstream_us={} total_us={}",
                             client.address, method, target, major, minor, tx.status, tx.bytes_sent,
                             to_string(tx.cache_status), quote ? "\"" : "", reason,
                             quote ? "\"" : "", tx.upstream_us, total_us);
}

}  // namespace larder::proxy
