// Validation of the small languages inside config strings: PCRE2 regexes and cache-key templates.
//
// Each check returns nullopt when the text is fine, or the problem as a message fragment ready to
// follow "KEY: ". The rules module compiles the same text later; checking here means a bad
// pattern stops the daemon at load time with a position instead of at the first request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace larder::config::detail {

// Compiles `pattern` with PCRE2 (no options) and reports PCRE2's message and offset on failure.
std::optional<std::string> regex_error(std::string_view pattern);
// Every ${...} must be ${scheme} ${host} ${path} ${query} ${method} ${cookie:NAME} ${header:NAME}.
std::optional<std::string> key_template_error(std::string_view key_template);

}  // namespace larder::config::detail
