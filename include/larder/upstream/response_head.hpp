// upstream response head: what Larder requires of an app server's response once its head is
// parsed (response_parser.hpp), as pure functions over the parser. upstream::Exchange calls them
// between its socket reads; tests/fuzz/origin_response_fuzz.cpp drives them over in-memory bytes
// with the same steps, so the fuzzer exercises the exchange's own checks, not only the parser.
//
// - check_head(): what a complete head means. Interim (100, 102, 103...) is handed to the
//   request's InterimSink (or dropped) and the next head is read on the same connection. 101 is
//   refused: Larder never asks for a protocol switch (Upgrade is hop-by-hop and not forwarded), so
//   what follows is not HTTP; relayed, it would end the client's request as "switched", pooled, its
//   connection would answer the next request. A status outside 100-599 is no status code (RFC 9110
//   section 15). Both close the connection.
// - interim_head(): an interim response as relayed to a client (upstream::InterimSink).
// - body_piece_size(): how much the next body read may add to a body of `buffered` bytes: what is
//   still to come when the parser knows it (Content-Length) (a 1 KiB page costs 1 KiB, not a
//   64 KiB piece), else a piece that doubles from 4 KiB up to kBodyPieceLimit. Always at least 1.
// The parser itself reads every response with a header section of at most kResponseHeaderLimit
// bytes, no body limit (read_body() reads the body in pieces and the caller decides how much to
// keep), and no body for the answer to a HEAD request, a 1xx, 204 or 304 (whatever they declare).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "larder/upstream/response_parser.hpp"

namespace larder::upstream {

inline constexpr std::size_t kBodyPieceLimit = 64 * 1024;

enum class HeadCheck {
    Final,              // 200-599 (101 aside): the answer to the request
    Interim,            // 1xx other than 101: relay or drop it, read the next head
    NotAStatus,         // below 100 or above 599: malformed, close
    UnsolicitedSwitch,  // 101 Switching Protocols, never asked for: malformed, close
};

std::string_view to_string(HeadCheck c);

HeadCheck check_head(int status);
std::size_t body_piece_size(const ResponseParser& parser, std::size_t buffered);
// An interim response's head as it is relayed: "HTTP/1.1 <status> <reason>", the end-to-end
// fields (hop-by-hop fields and those its Connection names left out), the blank line.
std::string interim_head(const ResponseParser& parser);

}  // namespace larder::upstream
