#include "larder/proxy/anonymous_request.hpp"

#include <algorithm>
#include <cassert>

#include "larder/http/accept_encoding.hpp"
#include "larder/http/cookies.hpp"

namespace larder::proxy {

namespace {
// Fields a shared fetch leaves out: the visitor's credentials, and what would make the app
// answer something other than the whole object (the client's own preconditions and ranges are
// answered by Larder from the stored object).
bool dropped(std::string_view name) {
    return http::iequals(name, "cookie") || http::iequals(name, "authorization") ||
           http::iequals(name, "proxy-authorization") || http::iequals(name, "if-none-match") ||
           http::iequals(name, "if-modified-since") || http::iequals(name, "range") ||
           http::iequals(name, "if-range") || http::iequals(name, "if-match") ||
           http::iequals(name, "if-unmodified-since") || http::iequals(name, "accept-encoding");
}

// The one Accept-Encoding a shared fetch sends (docs/compression.md): gzip when the client takes
// it, else identity, whatever the client's spelling.
std::string_view forwarded_accept_encoding(const http::Request& client) {
    return http::parse_accept_encoding(client.headers).accepts(http::ContentCoding::Gzip)
               ? "gzip"
               : "identity";
}

// Whether the client's Accept-Encoding fields are already exactly one field saying `value`.
bool sends_exactly(const http::Request& client, std::string_view value) {
    if (!client.has(http::Field::AcceptEncoding)) return false;
    std::size_t fields = 0;
    bool same = false;
    for (const auto& h : client.headers) {
        if (!http::iequals(h.name, "accept-encoding")) continue;
        ++fields;
        same = h.value == value;
    }
    return fields == 1 && same;
}
}  // namespace

AnonymousRequest::AnonymousRequest(const http::Request& client,
                                   const std::vector<std::string>& forwarded,
                                   std::optional<std::string> query)
    : client_(client) {
    using http::Field;
    const bool new_query = query && *query != client.query;
    const std::string_view accept_encoding = forwarded_accept_encoding(client);
    // The index holds every field dropped() names, so the common case never walks the headers.
    if (!client.has(Field::Cookie) && !client.has(Field::Authorization) &&
        !client.has(Field::ProxyAuthorization) && !client.has(Field::IfNoneMatch) &&
        !client.has(Field::IfModifiedSince) && !client.has(Field::Range) &&
        !client.has(Field::IfRange) && !client.has(Field::IfMatch) &&
        !client.has(Field::IfUnmodifiedSince) && !new_query && sends_exactly(client, accept_encoding))
        return;
    // Each keyed cookie once, the first as sent (the one the key holds), and only when it has
    // a value: an empty one keys like an absent one, so the app must see it absent.
    std::vector<std::string_view> sent;
    http::for_each_cookie(client.headers, [&](std::string_view name, std::string_view value) {
        if (std::find(forwarded.begin(), forwarded.end(), name) == forwarded.end()) {
            stripped_ = true;
            return;
        }
        if (std::find(sent.begin(), sent.end(), name) != sent.end()) return;
        sent.push_back(name);
        if (value.empty()) return;
        if (!cookie_.empty()) cookie_.append("; ");
        cookie_.append(name).append("=").append(value);
    });
    copy_.emplace(client);
    if (new_query) {  // the query as the key has it (drop_query, sort_query)
        target_ = std::string(client.path);
        if (!query->empty()) target_.append("?").append(*query);
        copy_->target = target_;
        copy_->path = std::string_view(target_).substr(0, client.path.size());
        copy_->query = query->empty() ? std::string_view()
                                      : std::string_view(target_).substr(client.path.size() + 1);
    }
    copy_->headers.clear();
    bool cookie_added = false;
    for (const auto& h : client.headers) {
        if (!dropped(h.name)) {
            copy_->headers.add(h.name, h.value);
            continue;
        }
        if (http::iequals(h.name, "authorization") ||
            http::iequals(h.name, "proxy-authorization")) {
            stripped_ = true;
        } else if (http::iequals(h.name, "cookie") && !cookie_added && !cookie_.empty()) {
            copy_->headers.add("Cookie", cookie_);  // where the first Cookie field was
            cookie_added = true;
        }
    }
    copy_->headers.add("Accept-Encoding", accept_encoding);
    copy_->index_fields();
    assert(!copy_->has(Field::Authorization));
}

}  // namespace larder::proxy
