// http::range: the Range request field (RFC 9110 section 14) for serving parts of a stored
// response, and the framing of a multipart/byteranges answer (section 14.6).
//
// parse_ranges() reads a `bytes=` range set against a representation of `length` bytes:
//   - "first-last", "first-" (open: to the end) and "-suffix" (the last `suffix` bytes, all of
//     them when the representation is shorter); `last` past the end is clamped to length - 1;
//   - the unit is compared case-insensitively, OWS around '=', '-' and ',' and empty list elements
//     are accepted (RFC 9110 section 5.6.1);
//   - a range that starts at or past the end, and "-0", are unsatisfiable and left out; the set
//     is Satisfiable when at least one range is (section 14.1.1), else Unsatisfiable (416 with
//     `Content-Range: bytes */length`);
//   - the set is Ignored (the full 200: a server may always ignore Range, section 14.2) with a
//     reason when: the unit is not bytes, any range-spec is malformed (first > last, not digits,
//     a number over 19 digits), the representation is empty (no 206 can describe it), there
//     are more than `max_ranges` range-specs, or two satisfiable ranges overlap (section 14.2:
//     overlapping and many-range requests are how a client makes a server send a body many
//     times over).
// Satisfiable ranges keep the order the client listed them in (section 15.3.7.2); adjacent
// ranges are not merged. One range is a plain 206 with Content-Range; several are a
// multipart/byteranges 206 (plan_multipart()). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder::http {

// Range-specs Larder serves in one request before it answers the full 200 instead.
inline constexpr std::size_t kMaxRanges = 16;

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // inclusive
    std::uint64_t size() const { return last - first + 1; }
    bool operator==(const ByteRange&) const = default;
};

// Why a Range field got the full 200.
enum class RangeIgnored {
    None,                 // not ignored
    NotBytes,             // another range unit (or no '=')
    Malformed,            // a range-spec that does not parse
    EmptyRepresentation,  // a zero-length body: no 206 can describe a part of it
    TooManyRanges,        // more than max_ranges range-specs
    Overlapping,          // two satisfiable ranges share bytes
};
std::string_view to_string(RangeIgnored r);

struct RangeSet {
    enum class Kind { Ignored, Satisfiable, Unsatisfiable } kind = Kind::Ignored;
    RangeIgnored ignored = RangeIgnored::None;  // why, when Ignored
    std::vector<ByteRange> ranges;              // Satisfiable: in the order the client listed them
};

RangeSet parse_ranges(std::string_view field, std::uint64_t length,
                      std::size_t max_ranges = kMaxRanges);

// "bytes first-last/length" (or "bytes */length" for a 416), the Content-Range value.
std::string content_range(const ByteRange& range, std::uint64_t length);
std::string unsatisfied_content_range(std::uint64_t length);

// The framing of a multipart/byteranges body: part_heads[i] goes before the bytes of ranges[i],
// `closing` after the last one. Every part carries the representation's Content-Type (when it
// had one) and its Content-Range. `content_type` is the response's Content-Type field value;
// `content_length` the whole body's size.
struct MultipartPlan {
    std::string content_type;  // multipart/byteranges; boundary=...
    std::vector<std::string> part_heads;
    std::string closing;
    std::uint64_t content_length = 0;
};
// `boundary`: 1-70 characters that do not occur in the body (the caller makes it unguessable).
MultipartPlan plan_multipart(const std::vector<ByteRange>& ranges, std::uint64_t length,
                             std::string_view part_content_type, std::string_view boundary);

}  // namespace larder::http
