#include "larder/http/range.hpp"

#include <charconv>

#include "larder/http/headers.hpp"

namespace larder::http {

namespace {
bool parse_number(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}
}  // namespace

ByteRange parse_range(std::string_view field, std::uint64_t length) {
    ByteRange r;
    field = trim_ows(field);
    auto eq = field.find('=');
    if (eq == std::string_view::npos || !iequals(trim_ows(field.substr(0, eq)), "bytes")) return r;
    std::string_view spec = trim_ows(field.substr(eq + 1));
    if (spec.find(',') != std::string_view::npos) return r;  // several ranges: the full 200
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return r;
    std::string_view a = trim_ows(spec.substr(0, dash));
    std::string_view b = trim_ows(spec.substr(dash + 1));
    std::uint64_t first = 0, last = 0;
    if (a.empty()) {  // suffix: the last b bytes
        if (!parse_number(b, last) || last == 0) {
            if (b == "0") r.kind = ByteRange::Kind::Unsatisfiable;
            return r;
        }
        if (length == 0) {
            r.kind = ByteRange::Kind::Unsatisfiable;
            return r;
        }
        r.kind = ByteRange::Kind::Satisfiable;
        r.first = last >= length ? 0 : length - last;
        r.last = length - 1;
        return r;
    }
    if (!parse_number(a, first)) return r;
    if (b.empty()) {
        last = length == 0 ? 0 : length - 1;
    } else if (!parse_number(b, last) || last < first) {
        return r;  // invalid: ignored
    }
    if (first >= length) {
        r.kind = ByteRange::Kind::Unsatisfiable;
        return r;
    }
    r.kind = ByteRange::Kind::Satisfiable;
    r.first = first;
    r.last = last >= length ? length - 1 : last;
    return r;
}

}  // namespace larder::http
