// Reason phrases for the status codes Larder itself produces or commonly relays.
#pragma once

#include <string_view>

namespace larder::http {

// "Not Found" for 404, ...; "Unknown" for a code without a registered phrase.
std::string_view reason_phrase(int status);

}  // namespace larder::http
