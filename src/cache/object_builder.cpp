#include "larder/cache/object_builder.hpp"

#include <array>
#include <memory>
#include <utility>

namespace larder::cache {

namespace {

constexpr std::array<std::string_view, 7> kHopByHop = {
    "connection", "keep-alive",        "proxy-connection", "te",
    "trailer",    "transfer-encoding", "upgrade"};

// The values of every Connection field: the field names they list are hop-by-hop too.
struct ConnectionTokens {
    std::array<std::string_view, 4> values{};
    std::size_t count = 0;
    bool overflow = false;  // more than 4 Connection fields: fall back to scanning all

    explicit ConnectionTokens(const http::HeaderList& headers) : headers_(headers) {
        for (const auto& h : headers) {
            if (!http::iequals(h.name, "connection")) continue;
            if (count == values.size()) {
                overflow = true;
                break;
            }
            values[count++] = h.value;
        }
    }
    bool names(std::string_view field) const {
        if (overflow) {
            for (const auto& h : headers_)
                if (http::iequals(h.name, "connection") && http::has_token(h.value, field))
                    return true;
            return false;
        }
        for (std::size_t i = 0; i < count; ++i)
            if (http::has_token(values[i], field)) return true;
        return false;
    }

  private:
    const http::HeaderList& headers_;
};

bool unsafe(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool keep(const ConnectionTokens& connection, const http::Header& h, bool strip_set_cookie) {
    for (auto hop : kHopByHop)
        if (http::iequals(h.name, hop)) return false;
    if (http::iequals(h.name, "content-length") || http::iequals(h.name, "age")) return false;
    if (strip_set_cookie && http::iequals(h.name, "set-cookie")) return false;
    if (h.name.empty() || unsafe(h.name) || unsafe(h.value)) return false;
    return connection.count == 0 || !connection.names(h.name);
}

}  // namespace

std::shared_ptr<Object> build_object(std::string key, int status, std::string_view reason_phrase,
                                     const http::HeaderList& headers, std::string body,
                                     obs::TimePoint now, std::chrono::milliseconds ttl,
                                     bool strip_set_cookie, std::string rule_name) {
    const std::string status_text = std::to_string(status);
    const std::string length_text = std::to_string(body.size());
    const ConnectionTokens connection(headers);

    // Two passes: size exactly, then write, so `head` holds no spare capacity.
    std::size_t size = 9 + status_text.size() + 1 + reason_phrase.size() + 2;  // "HTTP/1.1 "
    for (const auto& h : headers)
        if (keep(connection, h, strip_set_cookie)) size += h.name.size() + 2 + h.value.size() + 2;
    size += 16 + length_text.size() + 2;  // "Content-Length: "

    auto object = std::make_shared<Object>();
    std::string& head = object->head;
    head.reserve(size);
    head.append("HTTP/1.1 ").append(status_text).append(" ").append(reason_phrase).append("\r\n");
    for (const auto& h : headers) {
        if (!keep(connection, h, strip_set_cookie)) continue;
        head.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    head.append("Content-Length: ").append(length_text).append("\r\n");

    // A body read through a growing buffer may hold much more than it uses; the store charges
    // capacity, so give back a large slack once here.
    if (body.capacity() - body.size() > body.size() / 8 + 64) body.shrink_to_fit();

    object->key = std::move(key);
    object->status = status;
    object->body = std::move(body);
    object->stored_at = now;
    object->expires_at = now + ttl;
    object->rule_name = std::move(rule_name);
    return object;
}

}  // namespace larder::cache
