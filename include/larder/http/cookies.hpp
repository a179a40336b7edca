// Cookie header parsing (RFC 6265 section 4.2): "a=1; b=2" pairs, across every Cookie field.
//
// Values are returned as sent (no URL-decoding); surrounding double quotes are kept. A pair
// without '=' is skipped, as browsers do.
#pragma once

#include <optional>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

// Calls fn(name, value) for every cookie in every Cookie header, in order.
template <typename Fn>
void for_each_cookie(const HeaderList& headers, Fn&& fn);

// The value of the first cookie called `name`, or nullopt when absent.
std::optional<std::string_view> find_cookie(const HeaderList& headers, std::string_view name);

// Parses one Cookie header value; fn(name, value) per pair.
template <typename Fn>
void parse_cookie_header(std::string_view value, Fn&& fn) {
    while (!value.empty()) {
        auto semi = value.find(';');
        std::string_view pair = value.substr(0, semi);
        value = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view name = trim_ows(pair.substr(0, eq));
        if (name.empty()) continue;
        fn(name, trim_ows(pair.substr(eq + 1)));
    }
}

template <typename Fn>
void for_each_cookie(const HeaderList& headers, Fn&& fn) {
    for (const auto& h : headers)
        if (iequals(h.name, "cookie")) parse_cookie_header(h.value, fn);
}

}  // namespace larder::http
