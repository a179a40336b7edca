// regex_error: compile with PCRE2 and throw the compiled code away; only the verdict matters here.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "checks.hpp"

namespace larder::config::detail {

std::optional<std::string> regex_error(std::string_view pattern) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                         pattern.size(), 0, &code, &offset, nullptr);
    if (compiled) {
        pcre2_code_free(compiled);
        return std::nullopt;
    }
    PCRE2_UCHAR message[256];
    const int length = pcre2_get_error_message(code, message, sizeof message);
    std::string text = length > 0 ? std::string(reinterpret_cast<const char*>(message),
                                                static_cast<std::size_t>(length))
                                  : "error " + std::to_string(code);
    return "invalid regular expression: " + text + " at offset " + std::to_string(offset);
}

}  // namespace larder::config::detail
