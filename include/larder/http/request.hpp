// http::Request: one parsed client request, as the pipeline and the rule engine see it.
//
// Invariants: every string_view points into the client session's read buffer (or into
// `owned_` storage for the rare request whose pieces were not contiguous), and stays valid until
// the session starts parsing the next request. Header names keep the case the client sent;
// lookups are case-insensitive. `body` is the de-chunked request body, already complete when
// the pipeline sees the request: a view of bytes in memory or of a spool file that the parser's
// BodyBuffer owns (body.hpp), valid for as long as the other views.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/body.hpp"
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

// The fields the pipeline consults, found in one pass over the header list when the request is
// complete (index_fields()), so no step walks the list again to ask whether they are there.
enum class Field : std::uint8_t {
    Host,
    Cookie,
    Authorization,
    CacheControl,
    Pragma,
    IfNoneMatch,
    IfModifiedSince,
    Range,
    AcceptEncoding,
    Connection,
    ProxyAuthorization,
    IfRange,
    IfMatch,
    IfUnmodifiedSince,
};
inline constexpr std::size_t kFieldCount = 14;

struct Request {
    Method method = Method::Get;
    std::string_view method_text;  // as sent, e.g. "GET"
    std::string_view target;       // request-target as sent, e.g. "/a/b?x=1"
    std::string_view path;         // target up to '?'
    std::string_view query;        // after '?', without it; empty when there is none
    unsigned version_major = 1;
    unsigned version_minor = 1;
    HeaderList headers;
    BodyView body;
    bool keep_alive = true;        // what the client asked for (HTTP/1.0 defaults to close)
    bool expect_continue = false;  // "Expect: 100-continue" was sent

    // For each Field, the index in `headers` of its first occurrence, or -1. Indices, not views,
    // so they stay true when the parser re-points the views at a moved buffer.
    std::array<std::int32_t, kFieldCount> fields{};
    bool fields_indexed = false;  // hand-built requests (tests) may skip index_fields()

    // Fills `fields` from `headers` (one pass). The parser calls it; so must whoever builds or
    // rewrites a Request's headers by hand.
    void index_fields();
    bool has(Field f) const { return first(f) >= 0; }
    // The first field's value, or nullopt.
    std::optional<std::string_view> field(Field f) const {
        auto i = first(f);
        if (i < 0) return std::nullopt;
        return headers.at(static_cast<std::size_t>(i)).value;
    }

    // The Host header, or empty.
    std::string_view host() const { return field(Field::Host).value_or(std::string_view{}); }
    std::optional<std::string_view> header(std::string_view name) const {
        return headers.get(name);
    }

  private:
    std::int32_t first(Field f) const {
        return fields_indexed ? fields[static_cast<std::size_t>(f)] : first_unindexed(f);
    }
    std::int32_t first_unindexed(Field f) const;
};

}  // namespace larder::http
