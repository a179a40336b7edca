// The fetch step of the pipeline: one exchange with the app (revalidating a stale object when it
// can), a stale object instead of an error when its window allows, store (admit.cpp), deliver.
#include <array>
#include <charconv>

#include "flight_guard.hpp"
#include "larder/cache/conditional.hpp"
#include "larder/cache/invalidation.hpp"
#include "larder/cache/policy.hpp"
#include "larder/http/headers.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string chunk_prefix(std::size_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
    std::string out(buf, end);
    out.append("\r\n");
    return out;
}

}  // namespace

void Pipeline::invalidate_after(const http::Request& request, const upstream::Exchange& exchange) {
    if (!cache::is_unsafe(request.method)) return;
    for (const auto& key : cache::invalidation_keys({.method = request.method,
                           .status = exchange.status(),
                           .scheme = "http",
                           .host = request.host(),
                           .path = request.path,
                           .query = request.query,
                           .response_headers = &exchange.headers()}))
        shared_.store.erase(key);
}

asio::awaitable<void> Pipeline::fetch(const http::Request& request, const Attempt& a,
                                      const ClientInfo& client, ResponseWriter& writer,
                                      Transaction& tx, bool& keep_alive) {
    const auto& config = shared_.config;
    const rules::Decision& decision = a.decision;
    bool is_head = request.method == http::Method::Head;
    // A HEAD that may fill the cache is sent as GET, so the stored object has its body.
    bool send_as_get = a.cacheable && is_head;
    // A fetch that may be stored goes as the anonymous visitor (anonymous_request.hpp).
    const http::Request& sent = a.cacheable && a.shared_request ? *a.shared_request : request;
    std::string head = forward_head(sent, client.ip, send_as_get);
    bool client_conditional =
        request.headers.contains("if-none-match") || request.headers.contains("if-modified-since");
    bool revalidating = a.revalidate && a.stale && !client_conditional;
    if (revalidating) {  // ask the app whether the stored object is still good (RFC 9111 4.3.1)
        std::string validators;
        for (const auto& [name, value] : cache::revalidation_headers(a.stale->meta))
            validators.append(name).append(": ").append(value).append("\r\n");
        head.insert(head.size() - 2, validators);
    }

    Fetched fetched{.method = send_as_get ? http::Method::Get : request.method,
                    .request_has_authorization = sent.headers.contains("authorization"),
                    .request_no_store = a.request_no_store,
                    .request_headers = &sent.headers,
                    .request_time = shared_.clock.now()};
    auto t_up = SteadyClock::now();
    upstream::Exchange exchange(pool_, config.server, counters_);
    upstream::UpstreamError error = co_await exchange.start(
        {.head = head,
         .body = sent.body,
         .idempotent = http::is_idempotent(request.method),
         .head_request = is_head && !send_as_get,
         .hash_key = decision.key.empty() ? request.target : std::string_view(decision.key)});
    fetched.response_time = shared_.clock.now();
    std::string body;
    if (error == upstream::UpstreamError::None)
        error = co_await exchange.read_body(body, config.upstream.buffer_size);
    tx.upstream_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t_up).count();

    bool app_failed = error != upstream::UpstreamError::None ||
                      (exchange.body_done() && exchange.status() >= 500);
    // error_until already holds the window: the response's stale-if-error or [cache]'s default
    // (zero when the response forbids serving stale), or the rule's.
    bool stale_allowed = a.stale && a.stale->servable_on_error(fetched.response_time);
    if (app_failed && stale_allowed) {
        exchange.finish();
        obs::Counters::bump(counters_.cache_stale);
        tx.cache_status = CacheStatus::Stale;
        tx.reason = "stale_if_error";
        if (a.flight) a.flight->complete(a.stale);  // waiters get the same stale answer
        auto age = std::chrono::duration_cast<std::chrono::seconds>(fetched.response_time -
                                                                    a.stale->stored_at);
        co_await deliver(a.stale, request, writer, tx, keep_alive, age.count());
        co_return;
    }
    if (error != upstream::UpstreamError::None) {
        obs::Counters::bump(counters_.upstream_errors);
        log_upstream_error(request, error, exchange.backend_name());
        exchange.finish();
        int status = upstream::status_for(error);
        auto upstream_us = tx.upstream_us;
        tx.cache_status = CacheStatus::Error;
        tx.reason = upstream::to_string(error);
        std::string response =
            error_response(status, tx.reason, !keep_alive, config.server.debug_headers);
        co_await write_whole(response, status, writer, tx);
        tx.upstream_us = upstream_us;
        co_return;
    }
    if (!exchange.body_done()) {  // larger than the buffer: relay it as it arrives
        if (a.cacheable) shared_.predictor.remember(decision.key, fetched.response_time);
        if (a.flight) a.flight->complete(nullptr);
        co_await relay_stream(exchange, body, request, writer, tx, keep_alive,
                              a.cacheable && a.visitor_stripped);
        co_return;
    }
    exchange.finish();  // the app server's connection goes back before the client is served
    invalidate_after(request, exchange);

    if (revalidating && exchange.status() == 304 &&
        cache::not_modified_applies(a.stale->meta, exchange.headers())) {
        cache::Refreshed r = cache::refresh_from_not_modified(
            *a.stale, exchange.headers(), fetched.request_time, fetched.response_time,
            shared_.http_policy,
            decision.follow_origin ? std::nullopt : std::optional(decision.ttl),
            fetched.request_has_authorization, decision.strip_set_cookie);
        if (decision.follow_origin) {
            r.object->grace_until = r.verdict.grace_until;
            r.object->error_until = r.verdict.error_until;
        } else {
            set_rule_windows(*r.object, decision);
        }
        if (!r.refusal && shared_.store.insert(r.object))
            obs::Counters::bump(counters_.cache_stores);
        tx.reason = r.refusal ? cache::to_string(*r.refusal) : "revalidated";
        if (a.flight) a.flight->complete(r.refusal ? nullptr : cache::ObjectPtr(r.object));
        if (r.refusal && a.visitor_stripped) {
            co_await fetch_own_page(request, a, client, writer, tx, keep_alive);
            co_return;
        }
        co_await deliver(r.object, request, writer, tx, keep_alive, 0);
        co_return;
    }

    if (is_head && !send_as_get) {  // a passed HEAD: keep the app's framing fields
        std::string response =
            streaming_head(exchange.status(), exchange.reason(), exchange.headers(),
                           exchange.content_length().value_or(0), false);
        append_tail(response, tx, request, keep_alive);
        co_await write_whole(response, exchange.status(), writer, tx);
        co_return;
    }

    std::optional<cache::NoCacheReason> refusal;
    cache::ObjectPtr object =
        admit(exchange, std::move(body), a.cacheable ? &decision : nullptr, fetched, refusal);
    if (refusal) tx.reason = cache::to_string(*refusal);
    if (a.flight) a.flight->complete(refusal ? nullptr : object);
    if (refusal && a.cacheable && a.visitor_stripped) {
        co_await fetch_own_page(request, a, client, writer, tx, keep_alive);
        co_return;
    }
    co_await deliver(object, request, writer, tx, keep_alive, std::nullopt);
}

asio::awaitable<void> Pipeline::fetch_own_page(const http::Request& request, const Attempt& a,
                                               const ClientInfo& client, ResponseWriter& writer,
                                               Transaction& tx, bool& keep_alive) {
    // The page fetched without this visitor's cookies may not be shared, so it was not
    // rendered for anyone but a cookieless visitor (and may set cookies that would replace
    // this visitor's): fetch theirs, as a pass.
    obs::Counters::bump(counters_.cache_passes);
    tx.cache_status = CacheStatus::Pass;
    Attempt own{.decision = a.decision};
    co_await fetch(request, own, client, writer, tx, keep_alive);
}

asio::awaitable<void> Pipeline::relay_stream(upstream::Exchange& exchange, std::string& body,
                                             const http::Request& request, ResponseWriter& writer,
                                             Transaction& tx, bool& keep_alive,
                                             bool strip_set_cookie) {
    // Too large to buffer, so never stored, whatever the decision said.
    if (tx.cache_status != CacheStatus::Pass)
        tx.reason = cache::to_string(cache::NoCacheReason::TooLarge);
    auto length = exchange.content_length();
    bool chunked = !length && request.version_minor >= 1;
    if (!length && !chunked) keep_alive = false;  // HTTP/1.0 client: the close ends the body
    std::string head =
        streaming_head(exchange.status(), exchange.reason(), exchange.headers(), length,
                       strip_set_cookie);
    if (!length && !chunked) head.erase(head.rfind("Transfer-Encoding: chunked\r\n"));
    append_tail(head, tx, request, keep_alive);
    tx.status = exchange.status();
    constexpr std::size_t chunk_limit = 256 * 1024;
    bool first = true;
    for (;;) {
        std::string prefix = chunked && !body.empty() ? chunk_prefix(body.size()) : std::string();
        std::string_view suffix = chunked && !body.empty() ? "\r\n" : "";
        bool last = exchange.body_done();
        std::string_view terminator = chunked && last ? "0\r\n\r\n" : "";
        std::array<asio::const_buffer, 5> buffers{
            asio::buffer(first ? std::string_view(head) : std::string_view()), asio::buffer(prefix),
            asio::buffer(body), asio::buffer(suffix), asio::buffer(terminator)};
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
