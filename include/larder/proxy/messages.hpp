// proxy messages: the bytes Larder writes around relayed responses.
//
// - forward_head(): the request line and header section sent upstream: hop-by-hop fields,
//   Expect and Content-Length removed, X-Forwarded-For / X-Forwarded-Proto / Via added,
//   X-Request-Id replaced by the request's id, and a Content-Length for the (already de-chunked)
//   body. Host stays whatever Connection names (http::never_named_by_connection); a removed
//   field's '_' spelling (X_Forwarded_For, X_Request_Id) is removed too.
// - response_tail(): the per-response fields appended after a stored or relayed head
//   (Content-Length for stored objects, Age for hits, Via, X-Cache, X-Cache-Reason with debug
//   headers, X-Request-Id, Connection) and the blank line.
// - streaming_head(): the head of a response too large to buffer, relayed as it arrives (the
//   app's X-Request-Id left out: the tail writes the request's).
// - error_response(): a short text/plain answer that Larder gives by itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larder/http/request.hpp"
#include "larder/proxy/cache_status.hpp"

namespace larder::proxy {

// `request_id`: written as X-Request-Id (the client's own is dropped); empty: none written.
std::string forward_head(const http::Request& request, std::string_view client_ip, bool send_as_get,
                         std::string_view request_id = {});

// The header fields of a head that forward_head() wrote, as views into `head`.
http::HeaderList forwarded_fields(std::string_view head);

struct TailFields {
    // Framing of a stored object (its head has none); unset when the head already frames it.
    std::optional<std::uint64_t> content_length{};
    CacheStatus status = CacheStatus::Pass;
    std::string_view reason{};  // written only when debug_headers is on
    bool debug_headers = false;
    std::optional<std::int64_t> age{};  // seconds, for responses from the store
    bool keep_alive = true;
    bool http10_client = false;     // a keep-alive HTTP/1.0 client needs it said
    std::string_view request_id{};  // X-Request-Id; empty: not written
};

void append_response_tail(std::string& out, const TailFields& fields);

// Status line and end-to-end fields of an upstream response; framing is `content_length` when
// known, else chunked (the caller then chunk-encodes the body). No blank line at the end.
std::string streaming_head(int status, std::string_view reason, const http::HeaderList& headers,
                           std::optional<std::uint64_t> content_length, bool strip_set_cookie);

std::string error_response(int status, std::string_view detail, bool close,
                           bool debug_headers = true, std::string_view request_id = {});

}  // namespace larder::proxy
