// [compression]: which responses get a gzip and a brotli encoding when they are stored, how hard
// to compress, and on how many threads.
#include "sections.hpp"

namespace larder::config::detail {

namespace {

bool token_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$&-^_.+").find(static_cast<char>(c)) != std::string_view::npos;
}

// "type/subtype", lower-case, with at most one '*' anywhere.
bool media_type_pattern(const std::string& s) {
    const auto slash = s.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == s.size()) return false;
    int stars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (i == slash) continue;
        if (c == '*')
            ++stars;
        else if (!token_char(c))
            return false;
    }
    return stars <= 1 && s.find('/', slash + 1) == std::string::npos;
}

}  // namespace

void read_compression(Reader& r, CompressionConfig& out) {
    r.boolean("enabled", out.enabled);
    if (r.strings("types", out.types, true)) {
        for (std::size_t i = 0; i < out.types.size(); ++i) {
            if (!media_type_pattern(out.types[i]))
                r.fail_item("types", i,
                            "expected a lower-case media type such as \"text/html\" or "
                            "\"application/*+json\" (one '*' at most), got \"" +
                                out.types[i] + '"');
        }
    }
    r.size("min_size", out.min_size, true);
    std::int64_t level = 0;
    if (r.integer("gzip_level", level, 1, 9)) out.gzip_level = static_cast<int>(level);
    if (r.integer("brotli_quality", level, 0, 11)) out.brotli_quality = static_cast<int>(level);
    if (r.integer("threads", level, 0, 64)) out.threads = static_cast<unsigned>(level);
    r.boolean("pass", out.pass);
    r.finish();
}

}  // namespace larder::config::detail
