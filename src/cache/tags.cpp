#include "larder/cache/tags.hpp"

#include <algorithm>
#include <string_view>

namespace larder::cache {

namespace {
bool named(std::string_view name, const std::vector<std::string>& fields) {
    return std::any_of(fields.begin(), fields.end(),
                       [&](const std::string& f) { return http::iequals(name, f); });
}
bool separator(char c) {
    return c == ' ' || c == '\t' || c == ',';
}
}  // namespace

bool has_tag(std::string_view tags, std::string_view tag) {
    bool found = false;
    for_each_tag(tags, [&](std::string_view t) { found = found || t == tag; });
    return found;
}

std::string collect_tags(const http::HeaderList& headers, const std::vector<std::string>& fields) {
    std::string tags;
    std::size_t count = 0;
    for (const auto& h : headers) {
        if (!named(h.name, fields)) continue;
        std::string_view value = h.value;
        for (std::size_t at = 0; at < value.size() && count < kMaxTags;) {
            while (at < value.size() && separator(value[at])) ++at;
            std::size_t end = at;
            while (end < value.size() && !separator(value[end])) ++end;
            const std::string_view tag = value.substr(at, end - at);
            at = end;
            if (tag.empty() || tag.size() > kMaxTagLength || has_tag(tags, tag)) continue;
            if (!tags.empty()) tags.push_back(' ');
            tags.append(tag);
            ++count;
        }
    }
    return tags;
}

void strip_fields(std::string& head, const std::vector<std::string>& fields) {
    std::size_t line = head.find("\r\n");  // after the status line
    if (line == std::string::npos) return;
    line += 2;
    while (line < head.size()) {
        std::size_t end = head.find("\r\n", line);
        if (end == std::string::npos)
            end = head.size();
        else
            end += 2;
        const std::string_view text = std::string_view(head).substr(line, end - line);
        const auto colon = text.find(':');
        if (colon != std::string_view::npos && named(text.substr(0, colon), fields))
            head.erase(line, end - line);
        else
            line = end;
    }
}

}  // namespace larder::cache
