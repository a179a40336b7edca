// Hop-by-hop header fields (RFC 9110 section 7.6.1): they describe one connection, so a proxy
// removes them before forwarding a message in either direction.
//
// HopByHop reads one message's Connection options once (up to kKeptOptions of them, as views
// into the message) and then answers per field name without scanning the message again:
// filtering a message of n fields costs O(n), not O(n^2). A message with more options than that
// is scanned per name, as before. It refers to the HeaderList it was built from, which must
// outlive it and not change meanwhile.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

class HopByHop {
  public:
    explicit HopByHop(const HeaderList& all);
    // True for Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
    // Upgrade, and for every field that a Connection field of the message names, except the
    // fields that never_named_by_connection() protects.
    bool contains(std::string_view name) const;

  private:
    static constexpr std::size_t kKeptOptions = 8;
    const HeaderList& all_;
    std::array<std::string_view, kKeptOptions> options_{};
    std::size_t option_count_ = 0;
    bool too_many_options_ = false;  // then every Connection field is scanned per name
};

// The fixed hop-by-hop names only (the seven above, any letter case).
bool is_fixed_hop_by_hop(std::string_view name);

// Host, Content-Length and Transfer-Encoding: fields meant for every recipient that say where a
// message goes and where it ends. A Connection option naming one of them is ignored (RFC 9110
// section 7.6.1: a sender must not name such a field), so "Connection: Host" cannot strip the
// Host the cache key was made from, and framing stays Larder's to decide.
bool never_named_by_connection(std::string_view name);

}  // namespace larder::http
