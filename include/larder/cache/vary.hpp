// cache::vary: the secondary cache key of RFC 9111 section 4.1.
//
// A response's Vary is normalised once (normalise_vary): field names lower-cased, trimmed,
// de-duplicated, sorted and joined by ','; "" when there is no Vary (or it names nothing), "*"
// when any element is '*' (such a response never matches a later request, so it is not stored).
// Accept-Encoding is left out: one stored object holds every content coding Larder serves of a
// response (encodings.hpp) and the coding is chosen per client on delivery, so
// `Vary: Accept-Encoding` neither splits the cache by spelling nor needs variants.
// The secondary key of a request under that Vary (secondary_key) is, for each name in order,
// '\x1f' then either '-' (field absent) or '=' followed by the normalised value: every field line
// of that name combined with ',', each list member trimmed and inner whitespace runs collapsed to
// one space, so `en,  fr` and `en, fr` select the same variant. Absent and empty
// are different on purpose (RFC 9111 section 4.1: an absent field matches only an absent field).
// A variant is stored under variant_key(primary, secondary) = primary '\x1e' secondary; the store
// keeps all variants of a primary in one shard and bounds their number (store.hpp).
#pragma once

#include <string>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::cache {

inline constexpr char kVariantSeparator = '\x1e';

std::string normalise_vary(const http::HeaderList& response_headers);
inline bool vary_star(std::string_view normalised) {
    return normalised == "*";
}
std::string secondary_key(std::string_view normalised_vary,
                          const http::HeaderList& request_headers);
std::string variant_key(std::string_view primary, std::string_view secondary);
// The primary part of a store key (everything before the separator).
std::string_view primary_of(std::string_view key);

}  // namespace larder::cache
