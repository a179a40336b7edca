// Conditional requests: client preconditions on stored responses, revalidation, 304 merging.
#include "larder/cache/conditional.hpp"

#include <algorithm>
#include <array>

#include "larder/cache/freshness.hpp"
#include "larder/http/http_date.hpp"

namespace larder::cache {

namespace {

std::string_view opaque(std::string_view tag) {
    tag = http::trim_ows(tag);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
}

bool is_weak(std::string_view tag) {
    return http::trim_ows(tag).starts_with("W/");
}

// Fields a 304 never changes in the stored response.
constexpr std::array<std::string_view, 11> kKeepStored = {
    "content-length", "transfer-encoding", "connection", "keep-alive",    "proxy-connection",  "te",
    "trailer",        "upgrade",           "set-cookie", "content-range", "proxy-authenticate"};

bool keep_stored(std::string_view name, const http::HeaderList& not_modified) {
    for (auto k : kKeepStored)
        if (http::iequals(name, k)) return true;
    for (const auto& h : not_modified)
        if (http::iequals(h.name, "connection") && http::has_token(h.value, name)) return true;
    return false;
}

}  // namespace

bool weak_match(std::string_view a, std::string_view b) {
    const auto oa = opaque(a), ob = opaque(b);
    return !oa.empty() && oa == ob && oa.size() >= 2 && oa.front() == '"';
}

bool strong_match(std::string_view a, std::string_view b) {
    return !is_weak(a) && !is_weak(b) && weak_match(a, b);
}

namespace {
// Whether any entity-tag of a list field value matches `etag` by `match`. Entity-tags cannot
// contain commas outside quotes in practice, but the list is split carefully anyway.
template <typename Match>
bool any_listed_tag(std::string_view value, std::string_view etag, Match match) {
    std::size_t pos = 0;
    while (pos < value.size()) {
        std::size_t start = pos;
        bool quoted = false;
        for (; pos < value.size(); ++pos) {
            if (value[pos] == '"') quoted = !quoted;
            if (value[pos] == ',' && !quoted) break;
        }
        if (match(value.substr(start, pos - start), etag)) return true;
        ++pos;
    }
    return false;
}
}  // namespace

bool if_none_match_matches(std::string_view value, std::string_view etag) {
    if (http::trim_ows(value) == "*") return true;
    if (etag.empty()) return false;
    return any_listed_tag(value, etag, weak_match);
}

bool if_match_holds(std::string_view value, std::string_view etag) {
    if (http::trim_ows(value) == "*") return true;
    if (etag.empty()) return false;
    return any_listed_tag(value, etag, strong_match);
}

bool has_preconditions(const http::Request& request) {
    using http::Field;
    return request.has(Field::IfMatch) || request.has(Field::IfUnmodifiedSince) ||
           request.has(Field::IfNoneMatch) || request.has(Field::IfModifiedSince);
}

ClientCondition evaluate_conditional(http::Method method, const http::HeaderList& request,
                                     int stored_status, const Meta& meta, std::string_view etag) {
    if (stored_status < 200 || stored_status > 299) return ClientCondition::Full;
    // 1. If-Match (every field line counts: a list may be split over several).
    bool has_im = false, im_holds = false;
    for (const auto& h : request) {
        if (!http::iequals(h.name, "if-match")) continue;
        has_im = true;
        im_holds = im_holds || if_match_holds(h.value, etag);
    }
    if (has_im && !im_holds) return ClientCondition::PreconditionFailed;
    // 2. If-Unmodified-Since, only without If-Match.
    if (!has_im && meta.last_modified) {
        if (auto ius_text = request.get("if-unmodified-since")) {
            auto ius = http::parse_http_date(*ius_text, meta.response_time);
            if (ius && *meta.last_modified > *ius) return ClientCondition::PreconditionFailed;
        }
    }
    // 3. If-None-Match.
    bool has_inm = false;
    for (const auto& h : request) {
        if (!http::iequals(h.name, "if-none-match")) continue;
        has_inm = true;
        if (if_none_match_matches(h.value, etag)) return ClientCondition::NotModified;
    }
    if (has_inm) return ClientCondition::Full;
    // 4. If-Modified-Since, only without If-None-Match, for GET and HEAD.
    if (method != http::Method::Get && method != http::Method::Head) return ClientCondition::Full;
    auto ims_text = request.get("if-modified-since");
    if (!ims_text) return ClientCondition::Full;
    auto ims = http::parse_http_date(*ims_text, meta.response_time);
    if (!ims) return ClientCondition::Full;
    const obs::TimePoint last = meta.last_modified.value_or(meta.date.value_or(meta.response_time));
    return last <= *ims ? ClientCondition::NotModified : ClientCondition::Full;
}

ClientCondition evaluate_conditional(const http::Request& request, const Object& object) {
    return evaluate_conditional(request.method, request.headers, object.status, object.meta,
                                object.etag());
}

ParsedHead parse_head(std::string_view head) {
    ParsedHead out;
    std::size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    // "HTTP/1.1 200 OK"
    if (line.size() >= 12) {
        int status = 0;
        for (char c : line.substr(9, 3)) status = status * 10 + (c - '0');
        out.status = status;
        out.reason = line.size() > 13 ? line.substr(13) : std::string_view{};
    }
    while (eol != std::string_view::npos) {
        const std::size_t start = eol + 2;
        eol = head.find("\r\n", start);
        line = head.substr(start, eol == std::string_view::npos ? eol : eol - start);
        const std::size_t colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos) continue;
        out.headers.add(line.substr(0, colon), http::trim_ows(line.substr(colon + 1)));
    }
    return out;
}

std::string not_modified_head(const Object& object) {
    static constexpr std::array<std::string_view, 6> kCarried = {
        "cache-control", "content-location", "date", "etag", "expires", "vary"};
    const ParsedHead parsed = parse_head(object.head());
    std::string out = "HTTP/1.1 304 Not Modified\r\n";
    for (const auto& h : parsed.headers) {
        const bool carried = std::any_of(kCarried.begin(), kCarried.end(), [&](std::string_view n) {
            return http::iequals(h.name, n);
        });
        if (carried) out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> revalidation_headers(const Meta& meta,
                                                                      std::string_view etag) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!etag.empty()) out.emplace_back("If-None-Match", etag);
    if (meta.last_modified)
        out.emplace_back("If-Modified-Since", http::format_http_date(*meta.last_modified));
    return out;
}

std::vector<std::pair<std::string, std::string>> revalidation_headers(const Object& stored) {
    return revalidation_headers(stored.meta, stored.etag());
}

bool not_modified_applies(std::string_view stored_etag, const http::HeaderList& nm) {
    auto tag = nm.get("etag");
    if (!tag) return true;
    if (stored_etag.empty()) return false;
    return is_weak(*tag) ? weak_match(*tag, stored_etag) : strong_match(*tag, stored_etag);
}

bool not_modified_applies(const Object& stored, const http::HeaderList& nm) {
    return not_modified_applies(stored.etag(), nm);
}

http::HeaderList merge_not_modified(const http::HeaderList& stored,
                                    const http::HeaderList& not_modified) {
    http::HeaderList out;
    auto updated = [&](std::string_view name) {
        if (keep_stored(name, not_modified)) return false;
        for (const auto& h : not_modified)
            if (http::iequals(h.name, name)) return true;
        return false;
    };
    for (const auto& h : stored)
        if (!updated(h.name)) out.add(h.name, h.value);
    for (const auto& h : not_modified)
        if (!keep_stored(h.name, not_modified)) out.add(h.name, h.value);
    return out;
}

Refreshed refresh_from_not_modified(const Object& stored, const http::HeaderList& nm,
                                    obs::TimePoint request_time, obs::TimePoint response_time,
                                    const HttpPolicyOptions& options,
                                    std::optional<std::chrono::milliseconds> forced_ttl,
                                    bool request_has_authorization, bool strip_set_cookie) {
    const ParsedHead parsed = parse_head(stored.head());
    const http::HeaderList merged = merge_not_modified(parsed.headers, nm);
    Refreshed r;
    if (forced_ttl) {
        r.verdict.meta = forced_ttl_meta(merged, request_time, response_time, *forced_ttl);
        r.verdict.expires_at = response_time + *forced_ttl;
        r.verdict.grace_until = r.verdict.error_until = r.verdict.expires_at;
        r.verdict.meta.keep_until = r.verdict.expires_at;
    } else {
        r.verdict = evaluate_response({.method = http::Method::Get,
                                       .status = stored.status,
                                       .response_headers = &merged,
                                       .body_size = stored.body().size(),
                                       .request_has_authorization = request_has_authorization,
                                       .strip_set_cookie = strip_set_cookie,
                                       .request_time = request_time,
                                       .response_time = response_time},
                                      options);
        r.refusal = r.verdict.refusal;
    }
    r.object = build_http_object(r.refusal ? std::string() : std::string(stored.key()),
                                 stored.status, parsed.reason, merged, std::string(stored.body()),
                                 r.verdict, strip_set_cookie, stored.rule_name);
    return r;
}

}  // namespace larder::cache
