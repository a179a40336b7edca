// cache::conditional: conditional requests around stored responses (RFC 9110 section 13,
// RFC 9111 sections 3.2, 4.3).
//
//   - evaluate_conditional(): a client's preconditions against a stored response, in RFC 9110
//     section 13.2.2's order: If-Match (strong comparison; `*` holds for any stored response)
//     false → PreconditionFailed (412); else If-Unmodified-Since (only without If-Match, only
//     when the stored response has a Last-Modified) later than it → PreconditionFailed; then
//     If-None-Match (weak comparison, `*` matches) → NotModified (answer 304 with
//     not_modified_head()); If-Modified-Since only without If-None-Match and for GET/HEAD,
//     comparing with Last-Modified, else Date, else the response time (RFC 9111 section 4.3.2).
//     If-Range is the range writer's (proxy/range_response.cpp). Conditions are evaluated only
//     for a 2xx stored response (RFC 9110 section 13.2.1); an unparsable date is ignored.
//   - revalidation_headers(): If-None-Match / If-Modified-Since for the upstream request that
//     validates a stale object.
//   - merge_not_modified(): the stored header fields updated by a 304's (RFC 9111 section 3.2):
//     every field the 304 carries replaces all stored fields of that name, except Content-Length
//     and the framing/hop-by-hop fields, which keep describing the stored body; Set-Cookie from
//     a 304 is never merged into a stored response (the Set-Cookie policy of docs/http-caching.md).
//   - refresh_from_not_modified(): the draft of a new Object (objects are immutable: the caller
//     packs it with Object::make) from the old body and the merged fields, with meta recomputed
//     from the 304's times (so Date, Age and max-age of the 304 count).
// A stored object's ETag is Object::etag(), outside its Meta: the functions that compare ETags
// take it beside the Meta, or the Object.
// parse_head() reads an Object's pre-serialized head back into views, so nothing stores the
// header list twice. Everything here is pure; views returned point into the arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/cache/http_policy.hpp"
#include "larder/cache/object.hpp"
#include "larder/http/headers.hpp"
#include "larder/http/request.hpp"

namespace larder::cache {

enum class ClientCondition {
    Full,                // send the response (or its ranges)
    NotModified,         // 304
    PreconditionFailed,  // 412: If-Match or If-Unmodified-Since failed
};

// The request carries a precondition evaluate_conditional() answers (If-Range aside).
bool has_preconditions(const http::Request& request);

// Weak comparison of two entity-tags (RFC 9110 section 8.8.3.2): equal opaque tags, W/ ignored.
bool weak_match(std::string_view a, std::string_view b);
// Strong comparison: both strong and equal.
bool strong_match(std::string_view a, std::string_view b);
// True when an If-None-Match field value matches `etag` (weakly): `*` (when a response is
// stored) or any listed tag.
bool if_none_match_matches(std::string_view field_value, std::string_view etag);
// True when an If-Match field value holds for `etag` (strongly): `*`, or any listed tag.
bool if_match_holds(std::string_view field_value, std::string_view etag);

ClientCondition evaluate_conditional(http::Method method, const http::HeaderList& request_headers,
                                     int stored_status, const Meta& meta, std::string_view etag);
ClientCondition evaluate_conditional(const http::Request& request, const Object& object);

struct ParsedHead {
    int status = 0;
    std::string_view reason;
    http::HeaderList headers;  // views into the head
};
ParsedHead parse_head(std::string_view head);

// "HTTP/1.1 304 Not Modified\r\n" plus the stored Cache-Control, Content-Location, Date, ETag,
// Expires and Vary fields (RFC 9110 section 15.4.5), each line ending in CRLF, no blank line
// (the writer appends the per-response fields, as for Object::head).
std::string not_modified_head(const Object& object);

std::vector<std::pair<std::string, std::string>> revalidation_headers(const Meta& meta,
                                                                      std::string_view etag);
std::vector<std::pair<std::string, std::string>> revalidation_headers(const Object& stored);

// Whether a 304 may refresh the stored response (RFC 9111 section 4.3.4): when both carry an
// ETag they must match (strongly if the 304's is strong, else weakly); when the 304 has none and
// the stored has one, it still applies (a Last-Modified-based validation).
bool not_modified_applies(std::string_view stored_etag,
                          const http::HeaderList& not_modified_headers);
bool not_modified_applies(const Object& stored, const http::HeaderList& not_modified_headers);

// Views into both arguments; the 304's Age is kept (it counts in the new age) and dropped later
// by the builder.
http::HeaderList merge_not_modified(const http::HeaderList& stored,
                                    const http::HeaderList& not_modified);

struct Refreshed {
    ObjectDraft object;                    // always built (key empty when refused)
    std::optional<NoCacheReason> refusal;  // the merged response is no longer storable
    ResponseVerdict verdict;               // grace_until / error_until for the caller
};

// `request_has_authorization` and `strip_set_cookie` as for the original store. With
// `forced_ttl` (a rule's TTL) the lifetime is the rule's and only refuse_to_store-like checks are
// skipped: the object keeps being stored under the rule.
Refreshed refresh_from_not_modified(const Object& stored,
                                    const http::HeaderList& not_modified_headers,
                                    obs::TimePoint request_time, obs::TimePoint response_time,
                                    const HttpPolicyOptions& options,
                                    std::optional<std::chrono::milliseconds> forced_ttl = {},
                                    bool request_has_authorization = false,
                                    bool strip_set_cookie = false);

}  // namespace larder::cache
