// AccessPolicy: the allow list, then the token (SHA-256 digests compared in constant time).
#include "larder/admin/access.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/json/object.hpp>

#include "larder/http/headers.hpp"

namespace larder::admin {

namespace {
std::array<std::uint8_t, 32> digest(std::string_view text) {
    std::array<std::uint8_t, 32> out{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
    return out;
}

// Standard base64 (HTTP Basic); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view in) {
    if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
    std::string out(in.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    std::size_t padding = in.ends_with("==") ? 2 : in.ends_with('=') ? 1 : 0;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

// "Scheme credentials" -> credentials when the scheme matches (case-insensitive).
std::optional<std::string_view> credentials(std::string_view authorization,
                                            std::string_view scheme) {
    authorization = http::trim_ows(authorization);
    if (authorization.size() <= scheme.size() ||
        !http::iequals(authorization.substr(0, scheme.size()), scheme) ||
        authorization[scheme.size()] != ' ')
        return std::nullopt;
    return http::trim_ows(authorization.substr(scheme.size() + 1));
}
}  // namespace

std::string_view to_string(AccessVerdict v) {
    switch (v) {
        case AccessVerdict::Allowed:
            return "allowed";
        case AccessVerdict::AddressNotAllowed:
            return "address_not_allowed";
        case AccessVerdict::MissingToken:
            return "missing_token";
        case AccessVerdict::WrongToken:
            return "wrong_token";
    }
    return "unknown";
}

AccessPolicy::AccessPolicy(const config::AdminConfig& config)
    : has_token_(!config.token.empty()), allow_(config.allow) {
    if (has_token_) token_digest_ = digest(config.token);
}

bool AccessPolicy::token_matches(std::string_view candidate) const {
    auto given = digest(candidate);
    return CRYPTO_memcmp(given.data(), token_digest_.data(), given.size()) == 0;
}

AccessVerdict AccessPolicy::check(const AdminRequest& request, RouteAccess access) const {
    if (!allow_.empty()) {
        bool listed = false;
        for (const auto& range : allow_) listed = listed || range.contains(request.peer);
        if (!listed) return AccessVerdict::AddressNotAllowed;
    }
    if (!has_token_ || access == RouteAccess::Anyone) return AccessVerdict::Allowed;
    auto authorization = request.header("Authorization");
    if (!authorization) return AccessVerdict::MissingToken;
    if (auto bearer = credentials(*authorization, "Bearer"))
        return token_matches(*bearer) ? AccessVerdict::Allowed : AccessVerdict::WrongToken;
    if (auto basic = credentials(*authorization, "Basic")) {
        auto decoded = base64_decode(*basic);
        auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos) return AccessVerdict::WrongToken;
        return token_matches(std::string_view(*decoded).substr(colon + 1))
                   ? AccessVerdict::Allowed
                   : AccessVerdict::WrongToken;
    }
    return AccessVerdict::MissingToken;  // another scheme: no token was offered
}

AdminResponse AccessPolicy::refusal(AccessVerdict verdict) {
    if (verdict == AccessVerdict::AddressNotAllowed)
        return AdminResponse::error(403, to_string(verdict),
                                    "this address is not in [admin] allow");
    AdminResponse r = AdminResponse::error(
        401, to_string(verdict),
        verdict == AccessVerdict::MissingToken
            ? "the admin API needs the token: Authorization: Bearer <[admin] token>"
            : "the token does not match [admin] token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"larder admin\"");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"larder admin\"");
    return r;
}

}  // namespace larder::admin
