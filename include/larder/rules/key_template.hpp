// rules::KeyTemplate: a cache-key template such as "${scheme}://${host}${path}${query}",
// compiled at load into a list of literal and variable parts.
//
// Variables:
//   ${scheme}        the scheme passed to decide() ("http" or "https")
//   ${host}          the Host header, lower-cased, without the scheme's default port
//   ${path}          the path as sent (no decoding, no normalisation)
//   ${query}         "?" + the normalised query (see query.hpp), or nothing when that is empty
//   ${method}        the method as sent; not in the default key, so HEAD is served from a stored
//   GET
//   ${cookie:NAME}   the first cookie NAME as sent, or nothing
//   ${header:NAME}   the first header NAME (case-insensitive) as sent, or nothing
// A '$' not followed by '{' is literal (as the config loader's check reads templates). An unknown
// variable or an unterminated "${" throws std::invalid_argument at load, never at request time.
// expand() appends to the caller's string and allocates nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/request.hpp"
#include "larder/rules/query.hpp"

namespace larder::rules {

class KeyTemplate {
  public:
    static constexpr std::string_view kDefault = "${scheme}://${host}${path}${query}";

    explicit KeyTemplate(std::string_view text = kDefault);

    void expand(std::string& out, const http::Request& request, std::string_view scheme,
                const QueryPolicy& query) const;

    // The NAMEs of its ${cookie:NAME} variables, in order.
    std::vector<std::string> cookie_names() const;

    // A good reserve() for a request: literals plus the sizes of the request parts it uses.
    std::size_t size_hint(const http::Request& request) const;

  private:
    enum class Kind : std::uint8_t { Literal, Scheme, Host, Path, Query, Method, Cookie, Header };
    struct Part {
        Kind kind;
        std::string text;  // the literal, or the cookie/header name
    };
    void add_literal(std::string_view text);

    std::vector<Part> parts_;
    std::size_t literal_size_ = 0;
};

}  // namespace larder::rules
