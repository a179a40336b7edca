// cache::invalidation: RFC 9111 section 4.4 — an unsafe request that succeeds invalidates what is
// stored for its target URI and for the Location / Content-Location URIs of the response, when
// those are on the same host (different hosts are never touched: that would let one site
// purge another's pages).
//
// Keys come out in the rules module's default format `${scheme}://${host}${path}${query}`: host
// lower-cased without the scheme's default port, query as sent (or normalised by
// `append_query` — pass rules::append_normalised_query with the rule's QueryPolicy so keys
// match when sort_query / drop_query are on). Relative references are resolved against the
// request URI (RFC 3986 section 5.2, dot segments removed); fragments are dropped. Duplicates are
// removed. "Non-error" means 2xx or 3xx. Store::erase(key) of a primary key also erases every
// Vary variant of it. Pure; no I/O.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/headers.hpp"
#include "larder/http/request.hpp"

namespace larder::cache {

// GET, HEAD, OPTIONS and TRACE are safe (RFC 9110 section 9.2.1); everything else is not.
bool is_unsafe(http::Method method);

struct InvalidationInput {
    http::Method method = http::Method::Post;
    int status = 200;
    std::string_view scheme = "http";
    std::string_view host;   // the request's Host
    std::string_view path;   // the request path
    std::string_view query;  // without '?'
    const http::HeaderList* response_headers = nullptr;
};

using AppendQuery = std::function<void(std::string& out, std::string_view query)>;

// Empty unless the method is unsafe and the status 2xx/3xx.
std::vector<std::string> invalidation_keys(const InvalidationInput& in,
                                           const AppendQuery& append_query = {});

// The default-format key of (scheme, host, path, query); exposed for tests and the pipeline.
std::string default_key(std::string_view scheme, std::string_view host, std::string_view path,
                        std::string_view query, const AppendQuery& append_query = {});

}  // namespace larder::cache
