// The fetch step of the pipeline: one exchange with the app, then store when allowed, serve a
// stale object instead of an error when its window allows, and deliver.
#include <array>
#include <charconv>

#include "flight_guard.hpp"
#include "larder/cache/object_builder.hpp"
#include "larder/cache/policy.hpp"
#include "larder/http/cache_control.hpp"
#include "larder/http/headers.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Vary names request fields the stored response depends on. A rule that caches has already
// said what splits its pages (identity and vary_cookies), so Vary: Cookie is covered; any other
// field would need variants, so such a response is not stored under a rule.
bool varies_beyond_cookie(const http::HeaderList& headers) {
    for (const auto& h : headers) {
        if (!http::iequals(h.name, "vary")) continue;
        std::string_view list = h.value;
        while (!list.empty()) {
            auto comma = list.find(',');
            auto item = http::trim_ows(list.substr(0, comma));
            if (!item.empty() && !http::iequals(item, "cookie")) return true;
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return false;
}

std::string chunk_prefix(std::size_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
    std::string out(buf, end);
    out.append("\r\n");
    return out;
}

}  // namespace

cache::ObjectPtr Pipeline::admit(upstream::Exchange& exchange, std::string body,
                                 const rules::Decision* decision, bool request_has_authorization,
                                 std::optional<cache::NoCacheReason>& refusal) {
    const auto& config = shared_.config;
    const auto& headers = exchange.headers();
    if (decision) {
        refusal = cache::refuse_to_store({.status = exchange.status(),
                                          .response_headers = &headers,
                                          .body_size = body.size(),
                                          .request_has_authorization = request_has_authorization,
                                          .strip_set_cookie = decision->strip_set_cookie},
                                         {.max_object_size = config.cache.max_object_size,
                                          .cacheable_status = &config.cache.cacheable_status});
        if (!refusal && varies_beyond_cookie(headers)) refusal = cache::NoCacheReason::VaryStar;
    }
    bool store = decision && !refusal;
    auto now = shared_.clock.now();
    auto object = cache::build_object(
        store ? decision->key : std::string(), exchange.status(), exchange.reason(), headers,
        std::move(body), now, store ? decision->ttl : std::chrono::milliseconds(0),
        decision && decision->strip_set_cookie,
        decision ? std::string(decision->rule_name) : std::string());
    if (!store) {
        if (decision && refusal && cache::is_lasting(*refusal))
            shared_.predictor.remember(decision->key, now);
        return object;
    }
    // Stale windows: the rule's (or [cache]'s), unless the response names its own.
    http::CacheControl cc = http::parse_cache_control(headers);
    auto grace = cc.stale_while_revalidate ? std::chrono::seconds(*cc.stale_while_revalidate)
                                           : decision->grace;
    auto on_error =
        cc.stale_if_error ? std::chrono::seconds(*cc.stale_if_error) : decision->stale_if_error;
    object->grace_until = object->expires_at + grace;
    object->error_until = object->expires_at + on_error;
    if (shared_.store.insert(object)) obs::Counters::bump(counters_.cache_stores);
    shared_.predictor.forget(decision->key);
    return object;
}

asio::awaitable<void> Pipeline::fetch(const http::Request& request,
                                      const rules::Decision& decision, bool cacheable,
                                      cache::ObjectPtr stale, FlightGuard* flight,
                                      const ClientInfo& client, ResponseWriter& writer,
                                      Transaction& tx, bool& keep_alive) {
    const auto& config = shared_.config;
    bool is_head = request.method == http::Method::Head;
    // A HEAD that may fill the cache is sent as GET, so the stored object has its body.
    bool send_as_get = cacheable && is_head;
    std::string head = forward_head(request, client.ip, send_as_get);

    auto t_up = SteadyClock::now();
    upstream::Exchange exchange(pool_, config.server, counters_);
    upstream::UpstreamError error = co_await exchange.start(
        {.head = head,
         .body = request.body,
         .idempotent = http::is_idempotent(request.method),
         .head_request = is_head && !send_as_get,
         .hash_key = decision.key.empty() ? request.target : std::string_view(decision.key)});
    std::string body;
    if (error == upstream::UpstreamError::None)
        error = co_await exchange.read_body(body, config.upstream.buffer_size);
    tx.upstream_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t_up).count();

    bool app_failed = error != upstream::UpstreamError::None ||
                      (exchange.body_done() && exchange.status() >= 500);
    if (app_failed && stale && stale->servable_on_error(shared_.clock.now())) {
        exchange.finish();
        obs::Counters::bump(counters_.cache_stale);
        tx.cache_status = CacheStatus::Stale;
        tx.reason = "stale_if_error";
        if (flight) flight->complete(stale);  // waiters get the same stale answer
        co_await deliver(stale, request, writer, tx, keep_alive, true);
        co_return;
    }
    if (error != upstream::UpstreamError::None) {
        obs::Counters::bump(counters_.upstream_errors);
        log_upstream_error(request, error, exchange.backend_name());
        exchange.finish();
        int status = upstream::status_for(error);
        std::string response = error_response(status, upstream::to_string(error), !keep_alive);
        std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
        bool ok = co_await writer.write(buffers);
        tx = {.status = ok ? status : 0,
              .bytes_sent = ok ? response.size() : 0,
              .cache_status = CacheStatus::Error,
              .reason = upstream::to_string(error),
              .upstream_us = tx.upstream_us};
        co_return;
    }
    if (!exchange.body_done()) {  // larger than the buffer: relay it as it arrives
        if (cacheable) shared_.predictor.remember(decision.key, shared_.clock.now());
        if (flight) flight->complete(nullptr);
        co_await relay_stream(exchange, body, request, writer, tx, keep_alive);
        co_return;
    }
    exchange.finish();  // the app server's connection goes back before the client is served

    if (is_head && !send_as_get) {  // a passed HEAD: keep the app's framing fields
        std::string response =
            streaming_head(exchange.status(), exchange.reason(), exchange.headers(),
                           exchange.content_length().value_or(0), false);
        append_response_tail(response, {.status = tx.cache_status,
                                        .reason = tx.reason,
                                        .debug_headers = config.server.debug_headers,
                                        .keep_alive = keep_alive,
                                        .http10_client = request.version_minor == 0});
        std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
        bool ok = co_await writer.write(buffers);
        tx.status = ok ? exchange.status() : 0;
        tx.bytes_sent = ok ? response.size() : 0;
        co_return;
    }

    std::optional<cache::NoCacheReason> refusal;
    cache::ObjectPtr object =
        admit(exchange, std::move(body), cacheable ? &decision : nullptr,
              request.headers.contains("authorization"), refusal);
    if (refusal) tx.reason = cache::to_string(*refusal);
    if (flight) flight->complete(refusal ? nullptr : object);
    co_await deliver(object, request, writer, tx, keep_alive, false);
}

asio::awaitable<void> Pipeline::relay_stream(upstream::Exchange& exchange, std::string& body,
                                             const http::Request& request,
                                             ResponseWriter& writer, Transaction& tx,
                                             bool& keep_alive) {
    // Too large to buffer, so never stored, whatever the decision said.
    if (tx.cache_status != CacheStatus::Pass)
        tx.reason = cache::to_string(cache::NoCacheReason::TooLarge);
    auto length = exchange.content_length();
    bool chunked = !length && request.version_minor >= 1;
    if (!length && !chunked) keep_alive = false;  // HTTP/1.0 client: the close ends the body
    std::string head = streaming_head(exchange.status(), exchange.reason(), exchange.headers(),
                                      length, false);
    if (!length && !chunked) head.erase(head.rfind("Transfer-Encoding: chunked\r\n"));
    append_response_tail(head, {.status = tx.cache_status,
                                .reason = tx.reason,
                                .debug_headers = shared_.config.server.debug_headers,
                                .keep_alive = keep_alive,
                                .http10_client = request.version_minor == 0});
    tx.status = exchange.status();
    constexpr std::size_t chunk_limit = 256 * 1024;
    bool first = true;
    for (;;) {
        std::string prefix = chunked && !body.empty() ? chunk_prefix(body.size()) : std::string();
        std::string_view suffix = chunked && !body.empty() ? "\r\n" : "";
        bool last = exchange.body_done();
        std::string_view terminator = chunked && last ? "0\r\n\r\n" : "";
        std::array<asio::const_buffer, 5> buffers{
            asio::buffer(first ? std::string_view(head) : std::string_view()),
            asio::buffer(prefix), asio::buffer(body), asio::buffer(suffix),
            asio::buffer(terminator)};
        if (!co_await writer.write(buffers)) {
            keep_alive = false;
            break;
        }
        tx.bytes_sent += (first ? head.size() : 0) + body.size();
        first = false;
        if (last) break;
        body.clear();
        if (co_await exchange.read_body(body, chunk_limit) != upstream::UpstreamError::None) {
            keep_alive = false;  // headers are out: the only honest signal left is the close
            break;
        }
    }
    exchange.finish();
}

}  // namespace larder::proxy
