// proxy::AnonymousRequest: a request as a visitor without cookies or credentials would send it.
//
// Every fetch whose response may be stored for more than one visitor — a miss, a coalesced
// leader, a background refresh, a revalidation — sends this request upstream, whoever triggered
// it: the Cookie fields are replaced by one holding only the cookies the rule keys on
// (rules::Decision::forwarded_cookies, in the order sent; each once, as the key holds it, and not
// at all when empty), Authorization and Proxy-Authorization are removed (a request with
// Authorization never reaches the cache path; this is the second line of defence), and the
// query is the one the key holds (drop_query, sort_query). The client's own
// preconditions (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since) and ranges
// (Range, If-Range) are left out too: the shared fetch gets the whole object, which is stored,
// and Larder answers the client's 412, 304, 206 or 416 from it. Accept-Encoding is replaced by
// one field, `gzip` when the client accepts gzip and `identity` otherwise
// (http::parse_accept_encoding): the origin sees two spellings instead of every browser's, and
// answers in a coding both this client and Larder can use (Larder makes br and the other codings
// itself; docs/compression.md). Everything else is the client's request. RFC 9111 Vary variants
// are selected and stored with these headers too, so a stored object is, by construction, what a
// cookieless visitor gets.
//
// Invariants: when the client's request carries none of those fields, get() is the client's
// request itself (no copy on the common path); otherwise a copy of its views with the filtered
// headers, whose new Cookie value lives in this object. `stripped()` says whether a cookie or
// credentials were removed: a visitor whose request was changed must not be answered with a
// response that is not stored (it was not rendered for them), see Pipeline::fetch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "larder/http/request.hpp"

namespace larder::proxy {

class AnonymousRequest {
  public:
    // `query`: the query as the rule normalises it into the key (drop_query, sort_query), sent
    // instead of the client's so the app never renders a parameter the key leaves out.
    AnonymousRequest(const http::Request& client, const std::vector<std::string>& forwarded,
                     std::optional<std::string> query = std::nullopt);
    AnonymousRequest(const AnonymousRequest&) = delete;
    AnonymousRequest& operator=(const AnonymousRequest&) = delete;

    const http::Request& get() const { return copy_ ? *copy_ : client_; }
    bool stripped() const { return stripped_; }

  private:
    const http::Request& client_;
    std::optional<http::Request> copy_;
    std::string cookie_;  // the forwarded cookies, "a=1; b=2"
    std::string target_;  // path and normalised query, when it differs from the client's
    bool stripped_ = false;
};

}  // namespace larder::proxy
