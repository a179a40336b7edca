// http::is_structured_dictionary: whether a field value is a valid Structured Field Dictionary
// (RFC 8941 section 4.2.2), without building it.
//
// RFC 9213 defines the targeted cache-control fields (CDN-Cache-Control and the like) as
// Dictionaries and says a cache must ignore such a field when it does not parse as one, falling
// back to the next field (in the end, Cache-Control). The directives themselves are read by the
// Cache-Control parser (cache_control.hpp); this only validates the syntax: lower-case keys,
// items (integers of up to 15 digits, decimals, strings, tokens, byte sequences, booleans) and
// inner lists, each with parameters, members separated by commas with optional whitespace. Field
// lines are combined with ", " before checking (RFC 8941 section 4.2). Pure; never allocates
// beyond the combined value.
#pragma once

#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::http {

bool is_structured_dictionary(std::string_view value);
// Every line of the `name` field of `headers`, combined, is a valid Dictionary.
bool is_structured_dictionary_field(const HeaderList& headers, std::string_view name);

}  // namespace larder::http
