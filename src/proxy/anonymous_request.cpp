#include "larder/proxy/anonymous_request.hpp"

#include <algorithm>
#include <cassert>

#include "larder/http/cookies.hpp"

namespace larder::proxy {

namespace {
bool is_credential(std::string_view name) {
    return http::iequals(name, "cookie") || http::iequals(name, "authorization");
}
}  // namespace

AnonymousRequest::AnonymousRequest(const http::Request& client,
                                   const std::vector<std::string>& forwarded)
    : client_(client) {
    if (!client.has(http::Field::Cookie) && !client.has(http::Field::Authorization)) return;
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
        if (!is_credential(h.name)) {
            copy_->headers.add(h.name, h.value);
            continue;
        }
        if (http::iequals(h.name, "authorization")) {
            stripped_ = true;
        } else if (!cookie_added && !cookie_.empty()) {  // where the first Cookie field was
            copy_->headers.add("Cookie", cookie_);
            cookie_added = true;
        }
    }
    copy_->index_fields();
    assert(!copy_->has(http::Field::Authorization));
}

}  // namespace larder::proxy
