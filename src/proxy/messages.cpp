#include "larder/proxy/messages.hpp"

#include <charconv>

#include "larder/http/hop_by_hop.hpp"
#include "larder/http/status.hpp"
#include "larder/proxy/node_identity.hpp"

namespace larder::proxy {

namespace {

void append_number(std::string& out, std::uint64_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, end);
}

bool dropped_by_name(const http::HopByHop& hop_by_hop, std::string_view name) {
    return hop_by_hop.contains(name) || http::iequals(name, "content-length") ||
           http::iequals(name, "expect") || http::iequals(name, "x-forwarded-for") ||
           http::iequals(name, "x-forwarded-proto") || http::iequals(name, "via") ||
           http::iequals(name, "x-request-id");
}

// A field Larder removes or writes itself is removed under its '_' spelling too
// ("X_Forwarded_For", "Keep_Alive"): app servers that map names to CGI variables
// (HTTP_X_FORWARDED_FOR) cannot tell the two apart, so the client's copy would stand beside
// Larder's. (The parser already refuses Content_Length and Transfer_Encoding.)
bool dropped_when_forwarding(const http::HopByHop& hop_by_hop, std::string_view name) {
    if (dropped_by_name(hop_by_hop, name)) return true;
    if (name.find('_') == std::string_view::npos || name.size() > 64) return false;
    char dashed[64];
    for (std::size_t i = 0; i < name.size(); ++i) dashed[i] = name[i] == '_' ? '-' : name[i];
    return dropped_by_name(hop_by_hop, std::string_view(dashed, name.size()));
}
}  // namespace

std::string forward_head(const http::Request& r, std::string_view client_ip, bool send_as_get,
                         std::string_view request_id) {
    std::string out;
    out.reserve(256 + r.target.size() + r.headers.size() * 48);
    out.append(send_as_get ? std::string_view("GET") : r.method_text).push_back(' ');
    if (!r.target.empty() && r.target.front() == '/') {
        out.append(r.target);
    } else {  // absolute-form from a client that thinks we are a forward proxy
        out.append(r.path);
        if (!r.query.empty()) out.append("?").append(r.query);
    }
    out.append(" HTTP/1.1\r\n");
    const http::HopByHop hop_by_hop(r.headers);
    for (const auto& h : r.headers) {
        if (dropped_when_forwarding(hop_by_hop, h.name)) continue;
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    out.append("X-Forwarded-For: ");
    if (auto xff = r.headers.get("x-forwarded-for"); xff && !xff->empty())
        out.append(*xff).append(", ");
    out.append(client_ip).append("\r\nX-Forwarded-Proto: http\r\nVia: ");
    if (auto via = r.headers.get("via"); via && !via->empty()) out.append(*via).append(", ");
    out.append(node_identity().via).append("\r\n");
    if (!request_id.empty()) out.append("X-Request-Id: ").append(request_id).append("\r\n");
    bool may_have_body =
        !send_as_get && r.method != http::Method::Get && r.method != http::Method::Head;
    if (!r.body.empty() || may_have_body) {
        out.append("Content-Length: ");
        append_number(out, send_as_get ? 0 : r.body.size());
        out.append("\r\n");
    }
    out.append("\r\n");
    return out;
}

http::HeaderList forwarded_fields(std::string_view head) {
    http::HeaderList fields;
    auto next_line = [&head]() {
        auto end = head.find("\r\n");
        std::string_view line = head.substr(0, end);
        head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
        return line;
    };
    next_line();  // the request line
    for (std::string_view line = next_line(); !line.empty(); line = next_line()) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        fields.add(line.substr(0, colon), http::trim_ows(line.substr(colon + 1)));
    }
    return fields;
}

void append_response_tail(std::string& out, const TailFields& f) {
    if (f.content_length) {
        out.append("Content-Length: ");
        append_number(out, *f.content_length);
        out.append("\r\n");
    }
    if (f.age) {
        out.append("Age: ");
        append_number(out, static_cast<std::uint64_t>(*f.age < 0 ? 0 : *f.age));
        out.append("\r\n");
    }
    const NodeIdentity& node = node_identity();
    out.append("Via: ").append(node.via).append("\r\nX-Cache: ").append(to_string(f.status));
    out.append(node.x_cache_suffix).append("\r\n");
    if (f.debug_headers && !f.reason.empty())
        out.append("X-Cache-Reason: ").append(f.reason).append("\r\n");
    if (!f.request_id.empty()) out.append("X-Request-Id: ").append(f.request_id).append("\r\n");
    if (!f.keep_alive)
        out.append("Connection: close\r\n");
    else if (f.http10_client)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
}

std::string streaming_head(int status, std::string_view reason, const http::HeaderList& headers,
                           std::optional<std::uint64_t> content_length, bool strip_set_cookie) {
    std::size_t size = 64 + reason.size();  // status line, framing field; the tail grows it
    for (const auto& h : headers) size += h.name.size() + h.value.size() + 4;
    std::string out;
    out.reserve(size + 256);
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<std::uint64_t>(status));
    out.append(" ").append(reason).append("\r\n");
    const http::HopByHop hop_by_hop(headers);
    for (const auto& h : headers) {
        if (hop_by_hop.contains(h.name) || http::iequals(h.name, "content-length")) continue;
        if (strip_set_cookie && http::iequals(h.name, "set-cookie")) continue;
        if (http::iequals(h.name, "x-request-id")) continue;  // the tail writes the request's
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    if (content_length) {
        out.append("Content-Length: ");
        append_number(out, *content_length);
        out.append("\r\n");
    } else {
        out.append("Transfer-Encoding: chunked\r\n");
    }
    return out;
}

std::string error_response(int status, std::string_view detail, bool close, bool debug_headers,
                           std::string_view request_id) {
    std::string body(http::reason_phrase(status));
    if (!detail.empty()) body.append(": ").append(detail);
    body.push_back('\n');
    std::string out = "HTTP/1.1 ";
    append_number(out, static_cast<std::uint64_t>(status));
    out.append(" ").append(http::reason_phrase(status));
    out.append("\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n");
    // Larder's only 405 is for CONNECT (it is no tunnel): name what it does forward.
    if (status == 405) out.append("Allow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE\r\n");
    out.append("Content-Length: ");
    append_number(out, body.size());
    out.append("\r\n");
    append_response_tail(out, {.content_length = std::nullopt,
                               .status = CacheStatus::Error,
                               .reason = detail,
                               .debug_headers = debug_headers,
                               .age = std::nullopt,
                               .keep_alive = !close,
                               .request_id = request_id});
    out.append(body);
    return out;
}

}  // namespace larder::proxy
