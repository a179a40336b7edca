// The pipeline's first steps: decide, look up, and the hit, stale and pass branches; delivery of
// stored objects; Larder's own answers; the access log.
#include "larder/proxy/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "larder/proxy/messages.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {
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
        tx.reason = rules::to_string(decision.reason);
        co_await fetch(request, decision, false, nullptr, nullptr, client, writer, tx, keep_alive);
    } else if (auto now = shared_.clock.now();
               shared_.predictor.predicts_uncacheable(decision.key, now)) {
        obs::Counters::bump(counters_.cache_hit_for_pass);
        tx.cache_status = CacheStatus::HitForPass;
        tx.reason = decision.rule_name;
        co_await fetch(request, decision, true, nullptr, nullptr, client, writer, tx, keep_alive);
    } else {
        cache::ObjectPtr object = shared_.store.lookup_servable(decision.key, now);
        tx.reason = decision.rule_name;
        if (object && object->fresh(now)) {
            obs::Counters::bump(counters_.cache_hits);
            tx.cache_status = CacheStatus::Hit;
            co_await deliver(object, request, writer, tx, keep_alive, true);
        } else if (object && object->servable_in_grace(now)) {
            obs::Counters::bump(counters_.cache_stale);
            tx.cache_status = CacheStatus::Stale;
            refresh_in_background(request, decision, client.ip,
                                  co_await asio::this_coro::executor);
            co_await deliver(object, request, writer, tx, keep_alive, true);
        } else {
            co_await miss(request, decision, std::move(object), client, writer, tx, keep_alive);
        }
    }
    log(&request, client, tx, micros_since(t0));
    co_return keep_alive && tx.status != 0;
}

asio::awaitable<void> Pipeline::deliver(const cache::ObjectPtr& object, const http::Request& request,
                                        ResponseWriter& writer, Transaction& tx, bool keep_alive,
                                        bool with_age) {
    std::string tail;
    tail.reserve(128);
    std::optional<std::int64_t> age;
    if (with_age)
        age = std::chrono::duration_cast<std::chrono::seconds>(shared_.clock.now() -
                                                               object->stored_at)
                  .count();
    append_response_tail(tail, {.status = tx.cache_status,
                                .reason = tx.reason,
                                .debug_headers = shared_.config.server.debug_headers,
                                .age = age,
                                .keep_alive = keep_alive,
                                .http10_client = request.version_minor == 0});
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
    std::string response = error_response(status, reason, true);
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
                             client.address, method, target, major, minor, tx.status,
                             tx.bytes_sent, to_string(tx.cache_status), quote ? "\"" : "", reason,
                             quote ? "\"" : "", tx.upstream_us, total_us);
}

}  // namespace larder::proxy
