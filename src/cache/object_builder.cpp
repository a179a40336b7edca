#include "larder/cache/object_builder.hpp"

#include "larder/http/hop_by_hop.hpp"

#include <memory>
#include <utility>

namespace larder::cache {

namespace {

bool unsafe(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool keep(const http::HopByHop& hop_by_hop, const http::Header& h, bool strip_set_cookie) {
    if (http::iequals(h.name, "content-length") || http::iequals(h.name, "age")) return false;
    // The app's echo of the filling request's id: each response carries its own request's.
    if (http::iequals(h.name, "x-request-id")) return false;
    if (strip_set_cookie && http::iequals(h.name, "set-cookie")) return false;
    if (h.name.empty() || unsafe(h.name) || unsafe(h.value)) return false;
    return !hop_by_hop.contains(h.name);
}

}  // namespace

ObjectDraft build_object(std::string key, int status, std::string_view reason_phrase,
                         const http::HeaderList& headers, std::string body, obs::TimePoint now,
                         std::chrono::milliseconds ttl, bool strip_set_cookie,
                         std::string rule_name) {
    const std::string status_text = std::to_string(status);

    // Two passes: size exactly, then write, so `head` holds no spare capacity.
    const http::HopByHop hop_by_hop(headers);
    std::size_t size = 9 + status_text.size() + 1 + reason_phrase.size() + 2;  // "HTTP/1.1 "
    for (const auto& h : headers)
        if (keep(hop_by_hop, h, strip_set_cookie)) size += h.name.size() + 2 + h.value.size() + 2;

    ObjectDraft object;
    std::string& head = object.head;
    head.reserve(size);
    head.append("HTTP/1.1 ").append(status_text).append(" ").append(reason_phrase).append("\r\n");
    for (const auto& h : headers) {
        if (!keep(hop_by_hop, h, strip_set_cookie)) continue;
        head.append(h.name).append(": ").append(h.value).append("\r\n");
    }

    object.key = std::move(key);
    object.status = status;
    object.body = std::move(body);
    object.stored_at = now;
    object.expires_at = now + ttl;
    object.rule_name = std::move(rule_name);
    return object;
}

}  // namespace larder::cache
