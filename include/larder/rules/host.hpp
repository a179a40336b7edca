// Host header helpers for rule matching and cache keys.
//
// Invariants: a Host is "name[:port]" or "[v6]:port" (RFC 9110 section 7.2). Names compare
// case-insensitively; the key form is lower-case and drops the scheme's default port (":80" for
// http, ":443" for https) so "Example.COM:80" and "example.com" share cache entries. Nothing here
// allocates except by appending to the caller's string.
#pragma once

#include <string>
#include <string_view>

namespace larder::rules {

// "example.com:8080" -> "example.com"; "[::1]:80" -> "[::1]"; "example.com" unchanged.
std::string_view host_without_port(std::string_view host);

// Appends the key form of `host` to `out`.
void append_key_host(std::string& out, std::string_view host, std::string_view scheme);

}  // namespace larder::rules
