// cache::collect_tags: the purge tags an app gives a response, for the store's tag index.
//
// Apps name tags in response fields such as `Surrogate-Key: product-42 category-7` (Fastly's
// spelling) or `xkey: product-42, category-7` (Varnish's): every field named in `fields`
// (case-insensitive, every occurrence), tags separated by spaces, tabs or commas. The result is
// each tag once, in first-seen order, joined by single spaces (Object::tags). Bounded: at most
// kMaxTags tags of at most kMaxTagLength bytes each; longer tags and tags beyond the limit are
// dropped (a hostile origin cannot make one object's index entries unbounded).
// strip_fields() removes those fields from a stored head (see object.hpp's head format), so the
// tags stay between the app and Larder.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "larder/http/headers.hpp"

namespace larder::cache {

inline constexpr std::size_t kMaxTags = 128;
inline constexpr std::size_t kMaxTagLength = 256;

std::string collect_tags(const http::HeaderList& headers, const std::vector<std::string>& fields);

// Removes every "Name: value\r\n" line of `head` whose name is one of `fields`
// (case-insensitive); the status line is never touched.
void strip_fields(std::string& head, const std::vector<std::string>& fields);

}  // namespace larder::cache
