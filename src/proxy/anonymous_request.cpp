#include "larder/proxy/anonymous_request.hpp"

#include <algorithm>
#include <cassert>

#include "larder/http/cookies.hpp"

namespace larder::proxy {

namespace {
// Fields a shared fetch leaves out: the visitor's credentials, and what would make the app
// answer something other than the whole object (the client's own validators and ranges are
// answered by Larder from the stored object).
bool dropped(std::string_view name) {
    return http::iequals(name, "cookie") || http::iequals(name, "authorization") ||
           http::iequals(name, "if-none-match") || http::iequals(name, "if-modified-since") ||
           http::iequals(name, "range") || http::iequals(name, "if-range");
}
}  // namespace

AnonymousRequest::AnonymousRequest(const http::Request& client,
                                   const std::vector<std::string>& forwarded)
    : client_(client) {
    using http::Field;
    if (!client.has(Field::Cookie) && !client.has(Field::Authorization) &&
        !client.has(Field::IfNoneMatch) && !client.has(Field::IfModifiedSince) &&
        !client.has(Field::Range))
        return;
    http::for_each_cookie(client.headers, [&](std::string_view name, std::string_view value) {
        if (std::find(forwarded.begin(), forwarded.end(), name) == forwarded.end()) {
            stripped_ = true;
            return;
        }
        if (!cookie_.empty()) cookie_.append("; ");
        cookie_.append(name).append("=").append(value);
    });
    copy_.emplace(client);
    copy_->headers.clear();
    bool cookie_added = false;
    for (const auto& h : client.headers) {
        if (!dropped(h.name)) {
            copy_->headers.add(h.name, h.value);
            continue;
        }
        if (http::iequals(h.name, "authorization")) {
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
