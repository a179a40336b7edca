// The writing steps: Deliver (a stored or fetched object, or a 304 to the client's own
// conditional), Synth (Larder's own answers), and relaying a response straight from the app
// (every pass, and bodies too large to buffer). Each concludes the transaction first, so the
// X-Cache field and the access log agree.
#include <array>
#include <charconv>

#include "larder/cache/conditional.hpp"
#include "larder/proxy/messages.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;

namespace {

std::string chunk_prefix(std::size_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
    std::string out(buf, end);
    out.append("\r\n");
    return out;
}

// Statuses whose responses never have a body (RFC 9110 section 6.4.1).
bool bodiless_status(int status) {
    return status < 200 || status == 204 || status == 304;
}

bool is_larders_field(const std::vector<std::string>& larders_fields, std::string_view name) {
    for (const auto& field : larders_fields)
        if (http::iequals(name, field)) return true;
    return false;
}

bool carries_larders_field(const std::vector<std::string>& larders_fields,
                           const http::HeaderList& fields) {
    if (larders_fields.empty()) return false;
    for (const auto& h : fields)
        if (is_larders_field(larders_fields, h.name)) return true;
    return false;
}

http::HeaderList without_larders_fields(const std::vector<std::string>& larders_fields,
                                        const http::HeaderList& fields) {
    http::HeaderList out;
    out.reserve(fields.size());
    for (const auto& h : fields)
        if (!is_larders_field(larders_fields, h.name)) out.add(h.name, h.value);
    return out;
}

}  // namespace

asio::awaitable<Pipeline::Step> Pipeline::deliver(Task& t) {
    conclude(t);
    choose_representation(t);  // from here on, t.object is the coding this client gets
    const cache::Object& object = *t.object;
    // The client's own preconditions, answered from the object whatever brought it here (a hit,
    // or a miss that fetched the whole object without them), in RFC 9110 section 13.2.2's order.
    if (object.meta.parsed && cache::has_preconditions(t.request)) {
        switch (cache::evaluate_conditional(t.request, object)) {
            case cache::ClientCondition::NotModified: {
                std::string response = cache::not_modified_head(object);
                append_tail(response, t, t.age);
                co_await write_whole(response, 304, t);
                co_return Step::Done;
            }
            case cache::ClientCondition::PreconditionFailed: {
                std::string response =
                    error_response(412, "precondition_failed", !t.keep_alive,
                                   shared_.config.server.debug_headers, t.tx.request_id);
                co_await write_whole(response, 412, t);
                co_return Step::Done;
            }
            case cache::ClientCondition::Full:
                break;
        }
    }
    // Byte ranges of the body being delivered (range_response.cpp); an ignored Range set gets
    // the full 200.
    if (t.request.method == http::Method::Get && object.status == 200 &&
        t.request.has(http::Field::Range) && if_range_holds(t.request, object)) {
        const bool written = co_await write_ranges(t, object.head(), object.body());
        if (written) co_return Step::Done;
    }
    co_await write_object(t, t.object);
    co_return Step::Done;
}

asio::awaitable<Pipeline::Step> Pipeline::synth(Task& t) {
    conclude(t);
    if (t.synth_status < 500) obs::Counters::bump(counters_.client_errors);
    std::string response = error_response(t.synth_status, t.tx.reason, !t.keep_alive,
                                          shared_.config.server.debug_headers, t.tx.request_id);
    co_await write_whole(response, t.synth_status, t);
    co_return Step::Done;
}

void Pipeline::append_tail(std::string& out, const Task& t, std::optional<std::int64_t> age,
                           std::optional<std::uint64_t> content_length) const {
    // A drain that started while this request was at the app still closes the connection after
    // it: say so in the response.
    bool draining = shared_.draining && shared_.draining->load(std::memory_order_relaxed);
    append_response_tail(out, {.content_length = content_length,
                               .status = t.tx.cache_status,
                               .reason = t.tx.reason,
                               .debug_headers = shared_.config.server.debug_headers,
                               .age = age,
                               .keep_alive = t.keep_alive && !draining,
                               .http10_client = t.request.version_minor == 0,
                               .request_id = t.tx.request_id});
}

asio::awaitable<void> Pipeline::write_whole(std::string_view response, int status, Task& t) {
    std::array<asio::const_buffer, 1> buffers{asio::buffer(response)};
    bool ok = co_await t.writer.write(buffers);
    t.tx.status = ok ? status : 0;
    t.tx.bytes_sent += ok ? response.size() : 0;  // after any interim responses
}

asio::awaitable<void> Pipeline::write_object(Task& t, const cache::ObjectPtr& object) {
    std::string tail;
    tail.reserve(160);
    // Framing is written per response: the stored head has none (object.hpp).
    std::optional<std::uint64_t> length;
    if (!bodiless_status(object->status)) length = object->body().size();
    append_tail(tail, t, t.age, length);
    bool with_body = t.request.method != http::Method::Head;
    std::array<asio::const_buffer, 3> buffers{asio::buffer(object->head()), asio::buffer(tail),
                                              asio::buffer(object->body())};
    bool ok = co_await t.writer.write(std::span(buffers.data(), with_body ? 3 : 2));
    t.tx.status = ok ? object->status : 0;
    t.tx.bytes_sent +=
        ok ? object->head().size() + tail.size() + (with_body ? object->body().size() : 0) : 0;
}

asio::awaitable<void> Pipeline::relay(Task& t, Fetched& f) {
    conclude(t);
    upstream::SourceExchange& exchange = *f.exchange;
    const int status = exchange.status();
    const bool is_head = t.request.method == http::Method::Head;
    // A visitor whose cookies a shared fetch dropped gets no Set-Cookie meant for a cookieless
    // visitor (it would replace theirs).
    const bool strip_set_cookie = t.anonymous && t.anonymous->stripped() && t.path != Path::Pass &&
                                  t.path != Path::HitForPass;
    std::optional<std::uint64_t> length = exchange.content_length();
    if (!length && f.complete) length = f.body.size();
    const bool bodiless = is_head || bodiless_status(status);
    const bool chunked = !length && !bodiless && t.request.version_minor >= 1;
    if (!length && !chunked && !bodiless) t.keep_alive = false;  // HTTP/1.0: the close ends it
    // Bodiless answers keep the app's Content-Length (a HEAD says what GET would send; a passed
    // HEAD without one gets 0, as before) and never get chunked framing.
    std::optional<std::uint64_t> framing = length;
    if (bodiless)
        framing = is_head ? exchange.content_length().value_or(0) : exchange.content_length();
    // CDN-Cache-Control, Surrogate-Control and the purge tag fields are Larder's, relayed or
    // not (unless configured otherwise). Most responses carry none: no copy then.
    const http::HeaderList& fields =
        carries_larders_field(larders_fields_, exchange.headers())
            ? f.relayed_fields.emplace(without_larders_fields(larders_fields_, exchange.headers()))
            : exchange.headers();
    const http::HeaderList* sent_fields = &fields;
    const bool coded = co_await compress_relayed(t, f, fields);  // [compression] pass
    if (coded) {
        sent_fields = &*f.coded_fields;
        framing = f.body.size();
    }
    std::string head =
        streaming_head(status, exchange.reason(), *sent_fields, framing, strip_set_cookie);
    if (!framing && !chunked) head.erase(head.rfind("Transfer-Encoding: chunked\r\n"));
    append_tail(head, t, std::nullopt);
    t.tx.status = status;
    if (bodiless) f.body.clear();
    constexpr std::size_t chunk_limit = 256 * 1024;
    bool first = true;
    for (;;) {
        bool last = f.complete || exchange.body_done() || bodiless;
        std::string prefix =
            chunked && !f.body.empty() ? chunk_prefix(f.body.size()) : std::string();
        std::string_view suffix = chunked && !f.body.empty() ? "\r\n" : "";
        std::string_view terminator = chunked && last ? "0\r\n\r\n" : "";
        std::array<asio::const_buffer, 5> buffers{
            asio::buffer(first ? std::string_view(head) : std::string_view()), asio::buffer(prefix),
            asio::buffer(f.body), asio::buffer(suffix), asio::buffer(terminator)};
        if (!co_await t.writer.write(buffers)) {
            t.keep_alive = false;
            if (first) t.tx.status = 0;
            break;
        }
        t.tx.bytes_sent += (first ? head.size() : 0) + f.body.size();
        first = false;
        if (last) break;
        f.body.clear();
        upstream::UpstreamError error = co_await exchange.read_body(f.body, chunk_limit);
        if (error != upstream::UpstreamError::None) {
            // The head is out: the only honest signal left is the close, and the log says why.
            // A Content-Length or chunked body shows the cut; one delimited by the close would
            // look whole, so that connection is reset instead.
            t.keep_alive = false;
            t.tx.reason = upstream::to_string(error);
            obs::Counters::bump(counters_.upstream_errors);
            log_upstream_error(t.request.method_text, t.request.target, error,
                               exchange.backend_name());
            if (!length && !chunked) t.writer.abort();
            break;
        }
    }
    exchange.finish();
}

}  // namespace larder::proxy
