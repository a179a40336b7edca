#include "larder/http/headers.hpp"

#include "larder/http/cookies.hpp"
#include "larder/http/request.hpp"

namespace larder::http {

namespace {
inline char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        auto comma = value.find(',');
        if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
    for (const auto& f : fields_)
        if (iequals(f.name, name)) return f.value;
    return std::nullopt;
}

std::size_t HeaderList::count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& f : fields_) n += iequals(f.name, name) ? 1 : 0;
    return n;
}

std::optional<std::string_view> find_cookie(const HeaderList& headers, std::string_view name) {
    std::optional<std::string_view> found;
    for_each_cookie(headers, [&](std::string_view n, std::string_view v) {
        if (!found && n == name) found = v;
    });
    return found;
}

Method method_from_string(std::string_view t) {
    if (t == "GET") return Method::Get;
    if (t == "HEAD") return Method::Head;
    if (t == "POST") return Method::Post;
    if (t == "PUT") return Method::Put;
    if (t == "DELETE") return Method::Delete;
    if (t == "PATCH") return Method::Patch;
    if (t == "OPTIONS") return Method::Options;
    if (t == "TRACE") return Method::Trace;
    if (t == "CONNECT") return Method::Connect;
    return Method::Other;
}

bool is_idempotent(Method m) {
    switch (m) {
        case Method::Get:
        case Method::Head:
        case Method::Put:
        case Method::Delete:
        case Method::Options:
        case Method::Trace:
            return true;
        default:
            return false;
    }
}

}  // namespace larder::http

namespace larder::http {

namespace {
// The Field a header name is, if any: compared by length first, so most names cost one switch.
std::optional<Field> known_field(std::string_view name) {
    switch (name.size()) {
        case 4:
            if (iequals(name, "host")) return Field::Host;
            break;
        case 5:
            if (iequals(name, "range")) return Field::Range;
            break;
        case 6:
            if (iequals(name, "cookie")) return Field::Cookie;
            if (iequals(name, "pragma")) return Field::Pragma;
            break;
        case 13:
            if (iequals(name, "authorization")) return Field::Authorization;
            if (iequals(name, "cache-control")) return Field::CacheControl;
            if (iequals(name, "if-none-match")) return Field::IfNoneMatch;
            break;
        case 10:
            if (iequals(name, "connection")) return Field::Connection;
            break;
        case 15:
            if (iequals(name, "accept-encoding")) return Field::AcceptEncoding;
            break;
        case 17:
            if (iequals(name, "if-modified-since")) return Field::IfModifiedSince;
            break;
        case 19:
            if (iequals(name, "proxy-authorization")) return Field::ProxyAuthorization;
            if (iequals(name, "if-unmodified-since")) return Field::IfUnmodifiedSince;
            break;
        case 8:
            if (iequals(name, "if-range")) return Field::IfRange;
            if (iequals(name, "if-match")) return Field::IfMatch;
            break;
        default:
            break;
    }
    return std::nullopt;
}
}  // namespace

void Request::index_fields() {
    fields.fill(-1);
    std::int32_t i = 0;  // the header size limit keeps lists far below INT32_MAX
    for (const auto& h : headers) {
        if (auto f = known_field(h.name); f && fields[static_cast<std::size_t>(*f)] < 0)
            fields[static_cast<std::size_t>(*f)] = i;
        ++i;
    }
    fields_indexed = true;
}

std::int32_t Request::first_unindexed(Field f) const {
    // A hand-built request (tests): look it up the slow way.
    static constexpr std::array<std::string_view, kFieldCount> names{"host",
                                                                     "cookie",
                                                                     "authorization",
                                                                     "cache-control",
                                                                     "pragma",
                                                                     "if-none-match",
                                                                     "if-modified-since",
                                                                     "range",
                                                                     "accept-encoding",
                                                                     "connection",
                                                                     "proxy-authorization",
                                                                     "if-range",
                                                                     "if-match",
                                                                     "if-unmodified-since"};
    std::int32_t i = 0;
    for (const auto& h : headers) {
        if (iequals(h.name, names[static_cast<std::size_t>(f)])) return i;
        ++i;
    }
    return -1;
}

}  // namespace larder::http
