// The request method, read before llhttp sees it (private to src/http).
//
// llhttp knows a fixed list of methods and answers any other token with an error, but RFC 9110
// section 9.1 lets a method be any token (BAN, PURGE, MKCALENDAR, an app's own). The parser reads
// the method itself: scan_method() looks at the bytes of a request that has not started yet
// (after the empty lines RFC 9112 section 2.2 lets a server skip) and says whether the method is
// complete, which one llhttp should be given, and where the token lies. A method whose meaning
// llhttp or Larder depends on (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT, and
// PRI for the HTTP/2 preface) goes to llhttp as sent; any other token goes as kStandInMethod, a
// method llhttp parses like any other, and the request keeps the real token as its method text.
// A method is a token (case-sensitive: "get" is not GET) followed by one SP; anything else is
// left to llhttp, which refuses it. The answer depends only on the bytes, never on how they
// were split into reads (the whole-vs-pieces property the fuzz target checks).
#pragma once

#include <cstddef>
#include <string_view>

namespace larder::http {

// What llhttp is given instead of a method it does not know.
inline constexpr std::string_view kStandInMethod = "POST";

struct MethodScan {
    enum class Kind {
        Incomplete,  // no SP or other non-token byte yet: wait for more bytes
        Native,      // llhttp parses these bytes as they are (a method it knows, or an error)
        StandIn,     // feed the empty lines, then kStandInMethod, then the bytes from `token_end`
    } kind = Kind::Incomplete;
    std::size_t token_start = 0;  // after the leading CR/LF bytes
    std::size_t token_end = 0;    // the SP after the method
};

MethodScan scan_method(std::string_view bytes);

}  // namespace larder::http
