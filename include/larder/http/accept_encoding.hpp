// http::accept_encoding: which content codings a client accepts (RFC 9110 section 12.5.3), and
// which coding a response carries (section 8.4).
//
// Larder serves three codings: br, gzip and identity (ContentCoding). parse_accept_encoding()
// reads every Accept-Encoding field of a request into one qvalue per coding, so the dozen
// spellings browsers send ("gzip, deflate, br", "br;q=1.0, gzip;q=0.8, *;q=0.1", "GZIP", "x-gzip",
// "identity;q=0") all reduce to three numbers. The rules:
//   - no Accept-Encoding field: identity only (any coding would be allowed by the RFC, but a
//     client that says nothing gets what it surely understands, as nginx and Varnish do);
//   - an empty field: identity only;
//   - codings compare case-insensitively; `x-gzip` is gzip (section 8.4.1.3); codings Larder does
//     not serve (deflate, zstd, compress) are ignored; the first mention of a coding counts;
//   - `*` gives its qvalue to br and gzip when they are not named, and to identity when it is not
//     named (so `*;q=0` without `identity` refuses identity too);
//   - identity is acceptable unless `identity;q=0` or `*;q=0` (without an explicit identity);
//     when neither names it, it ranks below every coding the client named (qvalue 0.001), so
//     "deflate, gzip;q=0.5" means gzip;
//   - a qvalue is "0" to "1" with at most three decimals; a member with a malformed qvalue is
//     ignored; other parameters are ignored.
// choose() picks the coding to send among those `available`: the highest qvalue above 0, ties
// broken by the server's preference br > gzip > identity. When the client accepts none of them,
// identity is sent anyway (RFC 9110 allows a response "without any content coding" rather than
// 406). parse_content_encoding() reads a response's Content-Encoding: identity when absent or
// "identity", gzip/x-gzip, br, and nullopt for anything else (other codings, or several stacked).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

enum class ContentCoding : std::uint8_t { Identity, Gzip, Br };
inline constexpr std::size_t kContentCodingCount = 3;

// "identity", "gzip", "br": the Content-Encoding token (and metric label).
std::string_view to_string(ContentCoding coding);

// A set of codings, one bit per ContentCoding.
class CodingSet {
  public:
    constexpr CodingSet() = default;
    constexpr CodingSet& add(ContentCoding c) {
        bits_ |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(c));
        return *this;
    }
    constexpr bool has(ContentCoding c) const { return (bits_ >> static_cast<unsigned>(c)) & 1u; }
    constexpr bool operator==(const CodingSet&) const = default;

  private:
    std::uint8_t bits_ = 0;
};

struct AcceptEncoding {
    // Qvalue in thousandths (0..1000) per ContentCoding; 0 = not acceptable.
    std::array<std::uint16_t, kContentCodingCount> q{1, 0, 0};

    std::uint16_t quality(ContentCoding c) const { return q[static_cast<std::size_t>(c)]; }
    bool accepts(ContentCoding c) const { return quality(c) > 0; }
    bool operator==(const AcceptEncoding&) const = default;
};

AcceptEncoding parse_accept_encoding(const HeaderList& request_headers);
// One field value (for tests and callers holding a single field).
AcceptEncoding parse_accept_encoding(std::string_view field_value);

ContentCoding choose(const AcceptEncoding& accepted, CodingSet available);

std::optional<ContentCoding> parse_content_encoding(const HeaderList& response_headers);

}  // namespace larder::http
