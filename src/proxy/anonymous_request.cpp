#include "larder/proxy/anonymous_request.hpp"

#include <algorithm>
#include <cassert>

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
           http::iequals(name, "if-unmodified-since");
}
}  // namespace

AnonymousRequest::AnonymousRequest(const http::Request& client,
                                   const std::vector<std::string>& forwarded,
                                   std::optional<std::string> query)
    : client_(client) {
    using http::Field;
    const bool new_query = query && *query != client.query;
    // The index holds every field dropped() names, so the common case never walks the headers.
    if (!client.has(Field::Cookie) && !client.has(Field::Authorization) &&
        !client.has(Field::ProxyAuthorization) && !client.has(Field::IfNoneMatch) &&
        !client.has(Field::IfModifiedSince) && !client.has(Field::Range) &&
        !client.has(Field::IfRange) && !client.has(Field::IfMatch) &&
        !client.has(Field::IfUnmodifiedSince) && !new_query)
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
    copy_->index_fields();
    assert(!copy_->has(Field::Authorization));
}

}  // namespace larder::proxy
