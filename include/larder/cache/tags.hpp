// cache::collect_tags: the purge tags an app gives a response, for the store's tag index.
//
// Apps name tags in response fields such as `Surrogate-Key: product-42 category-7` (Fastly's
// spelling) or `xkey: product-42, category-7` (Varnish's): every field named in `fields`
// (case-insensitive, every occurrence), tags separated by spaces, tabs or commas. The result is
// each tag once, in first-seen order, joined by single spaces (Object::tags). Bounded: at most
// kMaxTags tags of at most kMaxTagLength bytes each; longer tags and tags beyond the limit are
// dropped (a hostile origin cannot make one object's index entries unbounded).
// strip_fields() removes those fields from a stored head (see object.hpp's head format), so the
// tags stay between the app and Larder. for_each_tag() and has_tag() read such a joined list;
// they are the only code that knows its separator.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/headers.hpp"

namespace larder::cache {

inline constexpr std::size_t kMaxTags = 128;
inline constexpr std::size_t kMaxTagLength = 256;

// Calls f(tag) for each tag of a list made by collect_tags (Object::tags), in order.
template <class F>
void for_each_tag(std::string_view tags, F&& f) {
    for (std::size_t at = 0; at < tags.size();) {
        auto end = tags.find(' ', at);
        if (end == std::string_view::npos) end = tags.size();
        if (end > at) f(tags.substr(at, end - at));
        at = end + 1;
    }
}

// True when the list `tags` (as for_each_tag reads it) holds `tag`.
bool has_tag(std::string_view tags, std::string_view tag);

std::string collect_tags(const http::HeaderList& headers, const std::vector<std::string>& fields);

// Removes every "Name: value\r\n" line of `head` whose name is one of `fields`
// (case-insensitive); the status line is never touched.
void strip_fields(std::string& head, const std::vector<std::string>& fields);

}  // namespace larder::cache
