// http::Request: one parsed client request, as the pipeline and the rule engine see it.
//
// Invariants: every string_view points into the client session's read buffer (or into
// `owned_` storage for the rare request whose pieces were not contiguous), and stays valid until
// the session starts parsing the next request. Header names keep the case the client sent;
// lookups are case-insensitive. `body` is the de-chunked request body, already complete when
// the pipeline sees the request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/headers.hpp"

namespace larder::http {

enum class Method : std::uint8_t {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Patch,
    Options,
    Trace,
    Connect,
    Other
};

Method method_from_string(std::string_view text);
// True for methods RFC 9110 section 9.2.2 calls idempotent (safe to send twice).
bool is_idempotent(Method m);

struct Request {
    Method method = Method::Get;
    std::string_view method_text;  // as sent, e.g. "GET"
    std::string_view target;       // request-target as sent, e.g. "/a/b?x=1"
    std::string_view path;         // target up to '?'
    std::string_view query;        // after '?', without it; empty when there is none
    unsigned version_major = 1;
    unsigned version_minor = 1;
    HeaderList headers;
    std::string body;
    bool keep_alive = true;        // what the client asked for (HTTP/1.0 defaults to close)
    bool expect_continue = false;  // "Expect: 100-continue" was sent

    // The Host header, or empty.
    std::string_view host() const { return headers.get("host").value_or(std::string_view{}); }
    std::optional<std::string_view> header(std::string_view name) const {
        return headers.get(name);
    }
};

}  // namespace larder::http
