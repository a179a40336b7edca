// A minimal JSON scanner that answers one question: does the top-level object have this key?
//
// Invariants: the text must be a single JSON object (surrounding whitespace allowed). Keys are
// compared after decoding their escapes (\" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs, as
// UTF-8), so "\u005fuser_id" is the key "_user_id". Keys of nested objects never count. Nested
// values are skipped with bracket matching (up to 64 levels deep) and strings with escapes; the
// scan stops at the first top-level match. Structure is checked well enough to reject truncated or
// garbled payloads; numbers and literals are checked only for their character set. Never allocates.
#pragma once

#include <string_view>

namespace larder::rules {

enum class JsonKeyScan { Found, NotFound, Invalid };

JsonKeyScan json_object_has_key(std::string_view json, std::string_view key);

}  // namespace larder::rules
