// Hop-by-hop header fields (RFC 9110 section 7.6.1): they describe one connection, so a proxy
// removes them before forwarding a message in either direction.
#pragma once

#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

// True for Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade,
// and for every field that a Connection header of `all` names, except the fields that
// never_named_by_connection() protects.
bool is_hop_by_hop(const HeaderList& all, std::string_view name);

// Host, Content-Length and Transfer-Encoding: fields meant for every recipient that say where a
// message goes and where it ends. A Connection option naming one of them is ignored (RFC 9110
// section 7.6.1: a sender must not name such a field), so "Connection: Host" cannot strip the
// Host the cache key was made from, and framing stays Larder's to decide.
bool never_named_by_connection(std::string_view name);

}  // namespace larder::http
