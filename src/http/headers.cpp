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
