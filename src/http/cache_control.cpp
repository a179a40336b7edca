#include "larder/http/cache_control.hpp"

#include <algorithm>

namespace larder::http {

namespace {

bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

struct Element {
    std::string_view name;
    bool has_arg = false;
    std::string_view arg;  // without the quotes when quoted
    bool clean = true;     // false: unterminated quote or junk after the argument
};

// Scans `s` from `pos` to the next top-level comma (or the end), skipping quoted strings.
std::size_t skip_to_comma(std::string_view s, std::size_t pos) {
    bool quoted = false;
    for (; pos < s.size(); ++pos) {
        const char c = s[pos];
        if (quoted && c == '\\') {
            ++pos;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            break;
        }
    }
    return pos;
}

// Reads one list element starting at `pos` (which is at a non-separator); leaves `pos` at the
// comma that ends it, or at the end of the value.
Element read_element(std::string_view s, std::size_t& pos) {
    Element e;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] != '=' && s[pos] != ',' && s[pos] != '"') ++pos;
    e.name = trim_ows(s.substr(start, pos - start));
    if (pos < s.size() && s[pos] == '"') {  // a quote inside a name: junk up to the next comma
        e.clean = false;
        pos = skip_to_comma(s, pos);
        return e;
    }
    if (pos < s.size() && s[pos] == '=') {
        e.has_arg = true;
        ++pos;
        while (pos < s.size() && is_ows(s[pos])) ++pos;
        if (pos < s.size() && s[pos] == '"') {
            const std::size_t begin = ++pos;
            while (pos < s.size() && s[pos] != '"') pos += (s[pos] == '\\') ? 2 : 1;
            pos = std::min(pos, s.size());
            e.arg = s.substr(begin, pos - begin);
            if (pos < s.size()) {
                ++pos;  // the closing quote
            } else {
                e.clean = false;
            }
        } else {
            const std::size_t begin = pos;
            while (pos < s.size() && s[pos] != ',' && !is_ows(s[pos])) ++pos;
            e.arg = s.substr(begin, pos - begin);
        }
        while (pos < s.size() && is_ows(s[pos])) ++pos;
        if (pos < s.size() && s[pos] != ',') {
            e.clean = false;
            pos = skip_to_comma(s, pos);
        }
    }
    return e;
}

// delta-seconds = 1*DIGIT; values beyond 2^31 saturate there.
std::optional<std::uint32_t> delta_seconds(const Element& e) {
    if (!e.has_arg || !e.clean || e.arg.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : e.arg) {
        if (c < '0' || c > '9') return std::nullopt;
        v = std::min<std::uint64_t>(v * 10 + static_cast<unsigned>(c - '0'), kDeltaSecondsMax);
    }
    return static_cast<std::uint32_t>(v);
}

void set_numeric(const Element& e, std::optional<std::uint32_t>& field, bool& malformed) {
    if (auto v = delta_seconds(e)) {
        field = field ? std::min(*field, *v) : *v;  // duplicates: the most restrictive wins
    } else {
        malformed = true;
    }
}

void set_field_list(const Element& e, bool& has_fields, std::string_view& fields,
                    std::string_view (&more)[3], bool& overflow, bool& unqualified) {
    if (!e.has_arg) {
        unqualified = true;
        return;
    }
    if (!has_fields) {
        has_fields = true;
        fields = e.arg;
        return;
    }
    for (auto& slot : more) {
        if (slot.empty()) {
            slot = e.arg;
            return;
        }
    }
    overflow = true;
}

bool list_names(std::string_view list, std::string_view field) {
    bool found = false;
    for_each_listed_field(list,
                          [&](std::string_view item) { found = found || iequals(item, field); });
    return found;
}

// Returns false for a directive this parser does not know.
bool apply(const Element& e, CacheControl& cc) {
    const std::string_view n = e.name;
    if (iequals(n, "max-age")) {
        set_numeric(e, cc.max_age, cc.max_age_malformed);
    } else if (iequals(n, "s-maxage")) {
        set_numeric(e, cc.s_maxage, cc.s_maxage_malformed);
    } else if (iequals(n, "no-store")) {
        cc.no_store = true;
    } else if (iequals(n, "no-cache")) {
        cc.no_cache = true;
        set_field_list(e, cc.no_cache_has_fields, cc.no_cache_fields, cc.no_cache_fields_more,
                       cc.no_cache_fields_overflow, cc.no_cache_unqualified);
    } else if (iequals(n, "private")) {
        cc.private_ = true;
        set_field_list(e, cc.private_has_fields, cc.private_fields, cc.private_fields_more,
                       cc.private_fields_overflow, cc.private_unqualified);
    } else if (iequals(n, "public")) {
        cc.public_ = true;
    } else if (iequals(n, "must-revalidate")) {
        cc.must_revalidate = true;
    } else if (iequals(n, "proxy-revalidate")) {
        cc.proxy_revalidate = true;
    } else if (iequals(n, "stale-while-revalidate")) {
        set_numeric(e, cc.stale_while_revalidate, cc.stale_while_revalidate_malformed);
    } else if (iequals(n, "stale-if-error")) {
        set_numeric(e, cc.stale_if_error, cc.stale_if_error_malformed);
    } else if (iequals(n, "must-understand")) {
        cc.must_understand = true;
    } else if (iequals(n, "no-transform")) {
        cc.no_transform = true;
    } else if (iequals(n, "immutable")) {
        cc.immutable = true;
    } else if (iequals(n, "only-if-cached")) {
        cc.only_if_cached = true;
    } else if (iequals(n, "min-fresh")) {
        bool ignored = false;
        set_numeric(e, cc.min_fresh, ignored);
    } else if (iequals(n, "max-stale")) {
        if (!e.has_arg) {
            cc.max_stale_any = true;
        } else {
            bool ignored = false;
            set_numeric(e, cc.max_stale, ignored);
        }
    } else {
        return false;
    }
    return true;
}

}  // namespace

void parse_cache_control(std::string_view value, CacheControl& cc) {
    std::size_t pos = 0;
    while (pos < value.size()) {
        if (value[pos] == ',' || is_ows(value[pos])) {
            ++pos;
            continue;
        }
        const Element e = read_element(value, pos);
        if (!e.name.empty() && apply(e, cc)) cc.empty = false;
    }
}

CacheControl parse_cache_control(std::string_view value) {
    CacheControl cc;
    parse_cache_control(value, cc);
    return cc;
}

CacheControl parse_cache_control(const HeaderList& headers) {
    return parse_cache_control(headers, "cache-control");
}

CacheControl parse_cache_control(const HeaderList& headers, std::string_view field_name) {
    CacheControl cc;
    for (const auto& h : headers)
        if (iequals(h.name, field_name)) parse_cache_control(h.value, cc);
    return cc;
}

bool no_cache_names(const CacheControl& cc, std::string_view field) {
    if (!cc.no_cache_has_fields) return false;
    if (list_names(cc.no_cache_fields, field)) return true;
    for (auto more : cc.no_cache_fields_more)
        if (list_names(more, field)) return true;
    return false;
}

bool private_names(const CacheControl& cc, std::string_view field) {
    if (!cc.private_has_fields) return false;
    if (list_names(cc.private_fields, field)) return true;
    for (auto more : cc.private_fields_more)
        if (list_names(more, field)) return true;
    return false;
}

}  // namespace larder::http
