#include "larder/http/range.hpp"

#include <algorithm>
#include <charconv>

#include "larder/http/headers.hpp"

namespace larder::http {

namespace {

bool parse_number(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

enum class Spec { Satisfiable, Unsatisfiable, Malformed };

// One range-spec against `length` (> 0).
Spec parse_spec(std::string_view spec, std::uint64_t length, ByteRange& out) {
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return Spec::Malformed;
    std::string_view a = trim_ows(spec.substr(0, dash));
    std::string_view b = trim_ows(spec.substr(dash + 1));
    std::uint64_t first = 0, last = 0;
    if (a.empty()) {  // suffix-range: the last b bytes
        if (!parse_number(b, last)) return Spec::Malformed;
        if (last == 0) return Spec::Unsatisfiable;
        out = {last >= length ? 0 : length - last, length - 1};
        return Spec::Satisfiable;
    }
    if (!parse_number(a, first)) return Spec::Malformed;
    if (b.empty()) {
        last = length - 1;
    } else if (!parse_number(b, last) || last < first) {
        return Spec::Malformed;
    }
    if (first >= length) return Spec::Unsatisfiable;
    out = {first, std::min(last, length - 1)};
    return Spec::Satisfiable;
}

RangeSet ignored(RangeIgnored why) {
    RangeSet r;
    r.ignored = why;
    return r;
}

}  // namespace

std::string_view to_string(RangeIgnored r) {
    switch (r) {
        case RangeIgnored::None:
            return "none";
        case RangeIgnored::NotBytes:
            return "range_not_bytes";
        case RangeIgnored::Malformed:
            return "range_malformed";
        case RangeIgnored::EmptyRepresentation:
            return "range_empty_representation";
        case RangeIgnored::TooManyRanges:
            return "range_too_many";
        case RangeIgnored::Overlapping:
            return "range_overlapping";
    }
    return "unknown";
}

RangeSet parse_ranges(std::string_view field, std::uint64_t length, std::size_t max_ranges) {
    field = trim_ows(field);
    auto eq = field.find('=');
    if (eq == std::string_view::npos || !iequals(trim_ows(field.substr(0, eq)), "bytes"))
        return ignored(RangeIgnored::NotBytes);
    std::string_view set = field.substr(eq + 1);
    RangeSet out;
    std::size_t specs = 0;
    for (std::size_t pos = 0;;) {
        const auto comma = set.find(',', pos);
        const std::string_view spec = trim_ows(set.substr(pos, comma - pos));
        if (!spec.empty()) {  // empty list elements are allowed (RFC 9110 section 5.6.1)
            if (++specs > max_ranges) return ignored(RangeIgnored::TooManyRanges);
            ByteRange r;
            // A zero-length body is answered in full, but a malformed set is still reported.
            switch (parse_spec(spec, length == 0 ? 1 : length, r)) {
                case Spec::Malformed:
                    return ignored(RangeIgnored::Malformed);
                case Spec::Unsatisfiable:
                    break;
                case Spec::Satisfiable:
                    if (length != 0) out.ranges.push_back(r);
                    break;
            }
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    if (specs == 0) return ignored(RangeIgnored::Malformed);  // "bytes=" or "bytes=,"
    if (length == 0) return ignored(RangeIgnored::EmptyRepresentation);
    if (out.ranges.empty()) {
        out.kind = RangeSet::Kind::Unsatisfiable;
        return out;
    }
    std::vector<ByteRange> sorted = out.ranges;
    std::sort(sorted.begin(), sorted.end(),
              [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i].first <= sorted[i - 1].last) return ignored(RangeIgnored::Overlapping);
    out.kind = RangeSet::Kind::Satisfiable;
    return out;
}

std::string content_range(const ByteRange& range, std::uint64_t length) {
    std::string out = "bytes ";
    out.append(std::to_string(range.first)).append("-").append(std::to_string(range.last));
    out.append("/").append(std::to_string(length));
    return out;
}

std::string unsatisfied_content_range(std::uint64_t length) {
    return "bytes */" + std::to_string(length);
}

MultipartPlan plan_multipart(const std::vector<ByteRange>& ranges, std::uint64_t length,
                             std::string_view part_content_type, std::string_view boundary) {
    MultipartPlan plan;
    plan.content_type = "multipart/byteranges; boundary=";
    plan.content_type.append(boundary);
    plan.part_heads.reserve(ranges.size());
    for (const ByteRange& r : ranges) {
        std::string head = "\r\n--";
        head.append(boundary).append("\r\n");
        if (!part_content_type.empty())
            head.append("Content-Type: ").append(part_content_type).append("\r\n");
        head.append("Content-Range: ").append(content_range(r, length)).append("\r\n\r\n");
        plan.content_length += head.size() + r.size();
        plan.part_heads.push_back(std::move(head));
    }
    plan.closing = "\r\n--";
    plan.closing.append(boundary).append("--\r\n");
    plan.content_length += plan.closing.size();
    return plan;
}

}  // namespace larder::http
