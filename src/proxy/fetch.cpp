// The miss and pass steps of the pipeline: fetch from the app, store when allowed, deliver.
#include <array>
#include <charconv>

#include "larder/cache/object_builder.hpp"
#include "larder/cache/policy.hpp"
#include "larder/http/headers.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Vary names request fields the stored response depends on. A rule that caches has already
// said what splits its pages (identity and vary_cookies), so Vary: Cookie is covered; any other
// field would need variants (a later feature), so such a response is not stored.
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

asio::awaitable<void> Pipeline::fetch(const http::Request& request,
                                      const rules::Decision& decision, bool cacheable,
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
         .head_request = is_head && !send_as_get});
    std::string body;
    if (error == upstream::UpstreamError::None)
        error = co_await exchange.read_body(body, config.upstream.buffer_size);
    tx.upstream_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t_up).count();
    if (error != upstream::UpstreamError::None) {
        obs::Counters::bump(counters_.upstream_errors);
        exchange.finish();
        std::string response = error_response(upstream::status_for(error),
                                              upstream::to_string(error), !keep_alive);
        std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
        bool ok = co_await writer.write(buffers);
        tx.status = upstream::status_for(error);
        tx.bytes_sent = ok ? response.size() : 0;
        tx.cache_status = CacheStatus::Error;
        tx.reason = upstream::to_string(error);
        keep_alive = keep_alive && ok;
        co_return;
    }
    if (!exchange.body_done()) {  // larger than the buffer: relay it as it arrives
        co_await relay_stream(exchange, body, request, writer, tx, keep_alive);
        co_return;
    }
    exchange.finish();  // the app server's connection goes back before the client is served

    int status = exchange.status();
    auto now = shared_.clock.now();
    if (is_head && !send_as_get) {  // a passed HEAD: keep the app's framing fields
        std::string response =
            streaming_head(status, exchange.reason(), exchange.headers(),
                           exchange.content_length().value_or(0), false);
        append_response_tail(response, {.status = tx.cache_status,
                                        .reason = tx.reason,
                                        .debug_headers = config.server.debug_headers,
                                        .keep_alive = keep_alive,
                                        .http10_client = request.version_minor == 0});
        std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
        bool ok = co_await writer.write(buffers);
        tx.status = status;
        tx.bytes_sent = ok ? response.size() : 0;
        keep_alive = keep_alive && ok;
        co_return;
    }

    std::optional<cache::NoCacheReason> refusal;
    if (cacheable) {
        cache::StorableLimits limits{.max_object_size = config.cache.max_object_size,
                                     .cacheable_status = &config.cache.cacheable_status};
        refusal = cache::refuse_to_store(
            {.status = status,
             .response_headers = &exchange.headers(),
             .body_size = body.size(),
             .request_has_authorization = request.headers.contains("authorization"),
             .strip_set_cookie = decision.strip_set_cookie},
            limits);
        if (!refusal && varies_beyond_cookie(exchange.headers()))
            refusal = cache::NoCacheReason::VaryStar;
        if (refusal) tx.reason = cache::to_string(*refusal);
    }
    bool store = cacheable && !refusal;
    cache::ObjectPtr object = cache::build_object(
        store ? decision.key : std::string(), status, exchange.reason(), exchange.headers(),
        std::move(body), now, store ? decision.ttl : std::chrono::milliseconds(0),
        cacheable && decision.strip_set_cookie, std::string(decision.rule_name));
    if (store && shared_.store.insert(object)) obs::Counters::bump(counters_.cache_stores);
    co_await deliver(object, request, client, writer, tx, keep_alive, false);
    keep_alive = keep_alive && tx.status != 0;
}

asio::awaitable<void> Pipeline::relay_stream(upstream::Exchange& exchange, std::string& body,
                                             const http::Request& request,
                                             ResponseWriter& writer, Transaction& tx,
                                             bool& keep_alive) {
    // Too large to store: never a cache object, whatever the decision said.
    if (tx.cache_status == CacheStatus::Miss) tx.reason = cache::to_string(cache::NoCacheReason::TooLarge);
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
            asio::buffer(prefix), asio::buffer(body), asio::buffer(suffix), asio::buffer(terminator)};
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
