// Hop-by-hop header fields (RFC 9110 section 7.6.1): they describe one connection, so a proxy
// removes them before forwarding a message in either direction.
#pragma once

#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

// True for Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade,
// and for every field that a Connection header of `all` names.
bool is_hop_by_hop(const HeaderList& all, std::string_view name);

}  // namespace larder::http
