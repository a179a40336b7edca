// admin::AccessPolicy: who may use the admin API ([admin] token and allow).
//
// check() answers, in this order: a peer outside a non-empty allow list -> AddressNotAllowed
// (403); a route that needs the token, with a token configured, and no credentials ->
// MissingToken (401), wrong ones -> WrongToken (401). Credentials are "Authorization: Bearer
// TOKEN", or HTTP Basic with TOKEN as the password (any user name), which is what a browser
// sends for the dashboard after its password prompt. The token is compared in constant time:
// both sides are hashed with SHA-256 and the digests compared with CRYPTO_memcmp, so neither
// the position of the first wrong byte nor the token's length shows in the timing.
// Refusals are JSON with a WWW-Authenticate challenge (Bearer, and Basic for browsers).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "larder/admin/message.hpp"
#include "larder/config/config.hpp"

namespace larder::admin {

// What a route asks of a caller. The allow list applies to every route.
enum class RouteAccess {
    Token,   // the bearer token, when one is configured (the default)
    Anyone,  // no token: /healthz, for load balancers that cannot send one
};

enum class AccessVerdict { Allowed, AddressNotAllowed, MissingToken, WrongToken };
std::string_view to_string(AccessVerdict v);

class AccessPolicy {
  public:
    AccessPolicy() = default;  // everyone allowed (tests)
    explicit AccessPolicy(const config::AdminConfig& config);

    AccessVerdict check(const AdminRequest& request, RouteAccess access) const;
    // The 401 or 403 answer for a refusal.
    static AdminResponse refusal(AccessVerdict verdict);
    bool has_token() const { return has_token_; }

  private:
    bool token_matches(std::string_view candidate) const;

    bool has_token_ = false;
    std::array<std::uint8_t, 32> token_digest_{};
    std::vector<config::AddressRange> allow_;
};

}  // namespace larder::admin
