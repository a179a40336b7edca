// Invalidation targets of an unsafe request (RFC 9111 section 4.4), with RFC 3986 resolution.
#include "larder/cache/invalidation.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace larder::cache {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// The key form of a Host value: lower-case, default port dropped (as rules::append_key_host).
std::string key_host(std::string_view host, std::string_view scheme) {
    std::string_view name = host;
    const std::size_t colon = host.rfind(':');
    const std::size_t bracket = host.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket) &&
        !(host.front() == '[' && bracket == std::string_view::npos))
        name = host.substr(0, colon);
    std::string_view port = host.substr(name.size());
    if ((scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") || port == ":")
        port = {};
    std::string out;
    for (char c : name) out.push_back(lower(c));
    out.append(port);
    return out;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
    std::string out;
    while (!in.empty()) {
        if (in.starts_with("../")) {
            in.remove_prefix(3);
        } else if (in.starts_with("./")) {
            in.remove_prefix(2);
        } else if (in.starts_with("/./")) {
            in.remove_prefix(2);
        } else if (in == "/.") {
            in = "/";
        } else if (in.starts_with("/../") || in == "/..") {
            in = in.size() == 3 ? std::string_view("/") : in.substr(3);
            const auto slash = out.rfind('/');
            out.erase(slash == std::string::npos ? 0 : slash);
        } else if (in == "." || in == "..") {
            in = {};
        } else {
            std::size_t next = in.find('/', in.front() == '/' ? 1 : 0);
            if (next == std::string_view::npos) next = in.size();
            out.append(in.substr(0, next));
            in.remove_prefix(next);
        }
    }
    return out;
}

struct Target {
    std::string host;  // key form; empty: same as the request
    std::string path;
    std::string query;
};

// Resolves `ref` against the request; nullopt for another scheme/authority we do not serve.
std::optional<Target> resolve(std::string_view ref, const InvalidationInput& in) {
    ref = http::trim_ows(ref);
    if (auto hash = ref.find('#'); hash != std::string_view::npos) ref = ref.substr(0, hash);
    if (ref.empty()) return std::nullopt;
    Target t;
    auto split_query = [](std::string_view pq, Target& t) {
        const auto q = pq.find('?');
        t.path = std::string(pq.substr(0, q));
        if (q != std::string_view::npos) t.query = std::string(pq.substr(q + 1));
    };
    // A scheme (RFC 3986 section 3.1) ends at the first ':' before any '/' or '?'.
    const auto colon = ref.find(':');
    const auto first_delim = ref.find_first_of("/?");
    const bool has_scheme =
        colon != std::string_view::npos && colon > 0 && colon < first_delim &&
        std::all_of(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    if (has_scheme && ref.substr(colon, 3) != "://") return std::nullopt;  // mailto:, urn:, ...
    const auto scheme_end = has_scheme ? colon : std::string_view::npos;
    if (scheme_end != std::string_view::npos) {
        std::string scheme;
        for (char c : ref.substr(0, scheme_end)) scheme.push_back(lower(c));
        if (scheme != "http" && scheme != "https") return std::nullopt;
        std::string_view rest = ref.substr(scheme_end + 3);
        const auto path_start = rest.find_first_of("/?");
        std::string_view authority = rest.substr(0, path_start);
        if (auto at = authority.rfind('@'); at != std::string_view::npos)
            authority.remove_prefix(at + 1);
        t.host = key_host(authority, scheme);
        std::string_view pq = path_start == std::string_view::npos ? "/" : rest.substr(path_start);
        split_query(pq, t);
        if (t.path.empty()) t.path = "/";
        t.path = remove_dot_segments(t.path);
        return t;
    }
    if (ref.starts_with("//")) {  // network-path reference: the request's scheme
        std::string joined = std::string(in.scheme) + ":" + std::string(ref);
        auto r = resolve(joined, in);
        return r;
    }
    if (ref.front() == '/') {
        split_query(ref, t);
        t.path = remove_dot_segments(t.path);
        return t;
    }
    if (ref.front() == '?') {
        t.path = std::string(in.path);
        t.query = std::string(ref.substr(1));
        return t;
    }
    // Relative path: merge with the request path's directory.
    split_query(ref, t);
    const auto slash = in.path.rfind('/');
    std::string merged = std::string(
        slash == std::string_view::npos ? std::string_view("/") : in.path.substr(0, slash + 1));
    merged += t.path;
    t.path = remove_dot_segments(merged);
    return t;
}

}  // namespace

bool is_unsafe(http::Method m) {
    switch (m) {
        case http::Method::Get:
        case http::Method::Head:
        case http::Method::Options:
        case http::Method::Trace:
            return false;
        default:
            return true;
    }
}

std::string default_key(std::string_view scheme, std::string_view host, std::string_view path,
                        std::string_view query, const AppendQuery& append_query) {
    std::string key;
    key.reserve(scheme.size() + 3 + host.size() + path.size() + query.size() + 1);
    key.append(scheme).append("://").append(key_host(host, scheme)).append(path);
    key.push_back('?');
    const std::size_t before = key.size();
    if (append_query)
        append_query(key, query);
    else
        key.append(query);
    if (key.size() == before) key.pop_back();
    return key;
}

std::vector<std::string> invalidation_keys(const InvalidationInput& in,
                                           const AppendQuery& append_query) {
    std::vector<std::string> keys;
    if (!is_unsafe(in.method) || in.status < 200 || in.status > 399) return keys;
    keys.push_back(default_key(in.scheme, in.host, in.path, in.query, append_query));
    if (!in.response_headers) return keys;
    const std::string own_host = key_host(in.host, in.scheme);
    for (const auto& h : *in.response_headers) {
        if (!http::iequals(h.name, "location") && !http::iequals(h.name, "content-location"))
            continue;
        auto t = resolve(h.value, in);
        if (!t || (!t->host.empty() && t->host != own_host)) continue;
        std::string key = default_key(in.scheme, in.host, t->path, t->query, append_query);
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
    return keys;
}

}  // namespace larder::cache
