// http::range: the Range request field (RFC 9110 section 14) for serving parts of a stored
// response.
//
// parse_range() reads `bytes=` ranges against a representation of `length` bytes: a single
// range "first-last", "first-" (open) or "-suffix" becomes one satisfiable [first, last] with
// last clamped to length - 1; a range that starts at or past the end is unsatisfiable (416).
// Several ranges, another unit, or a malformed field are Ignored: the full 200 is the right
// answer (RFC 9110 allows ignoring Range; Larder does not build multipart/byteranges). Pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace larder::http {

struct ByteRange {
    enum class Kind { Ignored, Satisfiable, Unsatisfiable } kind = Kind::Ignored;
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // inclusive
    std::uint64_t size() const { return last - first + 1; }
};

ByteRange parse_range(std::string_view field, std::uint64_t length);

}  // namespace larder::http
