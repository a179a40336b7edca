// base64url decoding (RFC 4648 section 5), as itsdangerous writes it: '-' and '_' instead of
// '+' and '/', padding left out.
//
// Invariants: strict. Any byte outside the alphabet, a length of 1 mod 4, or non-zero bits left
// over in the last character makes decoding fail; trailing '=' padding is accepted. Decoding
// appends to the caller's buffer and allocates nothing else.
#pragma once

#include <string>
#include <string_view>

namespace larder::rules {

// Appends the decoded bytes to `out`; false (with `out` in an unspecified state) when invalid.
bool base64url_decode(std::string_view in, std::string& out);

}  // namespace larder::rules
