// [purge]: tag fields, the purge window and the bound on remembered purges.
#include "sections.hpp"

namespace larder::config::detail {

void read_purge(Reader& r, PurgeConfig& out) {
    if (r.strings("tag_headers", out.tag_headers, true)) {
        for (const auto& name : out.tag_headers) {
            bool token = !name.empty();
            for (unsigned char c : name)
                token = token && c > 0x20 && c < 0x7f && c != ':' && c != '"' && c != ',';
            if (!token)
                r.fail(
                    "tag_headers",
                    "expected header field names such as \"Surrogate-Key\", got \"" + name + '"');
        }
    }
    r.boolean("strip_tag_headers", out.strip_tag_headers);
    r.duration("window", out.window);
    std::int64_t pending = 0;
    if (r.integer("max_pending", pending, 1, 1'000'000))
        out.max_pending = static_cast<std::size_t>(pending);
    r.finish();
}

}  // namespace larder::config::detail
