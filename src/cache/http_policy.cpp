// RFC 9111 storability for a shared cache; see http_policy.hpp for the order of the checks.
#include "larder/cache/http_policy.hpp"

#include <algorithm>

#include "larder/cache/object_builder.hpp"
#include "larder/cache/vary.hpp"
#include "larder/http/structured_field.hpp"

namespace larder::cache {

namespace {

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

void add_unique(std::vector<std::string>& v, std::string_view name) {
    std::string n = lowered(name);
    if (std::find(v.begin(), v.end(), n) == v.end()) v.push_back(std::move(n));
}

void add_listed(std::vector<std::string>& out, std::string_view list) {
    http::for_each_listed_field(list, [&](std::string_view f) { add_unique(out, f); });
}

// Statuses whose caching semantics Larder implements (for must-understand).
bool understood(int status) {
    return heuristically_cacheable(status) || status == 302 || status == 303 || status == 307;
}

bool explicit_freshness(const http::CacheControl& cc, const http::HeaderList& h, bool use_expires) {
    return cc.max_age || cc.s_maxage || cc.max_age_malformed || cc.s_maxage_malformed ||
           (use_expires && h.contains("expires"));
}

}  // namespace

HttpPolicyOptions http_policy_options(const config::CacheConfig& cache) {
    HttpPolicyOptions o;
    o.freshness.heuristic = config::heuristic_fraction(cache);
    o.freshness.heuristic_max = std::chrono::duration_cast<Seconds>(cache.heuristic_max);
    o.client.honor_no_cache = config::honors_client_no_cache(cache);
    o.client.honor_max_stale = cache.honor_client_max_stale;
    o.targeted_cache_control = cache.targeted_cache_control;
    o.strip_targeted_headers = cache.strip_targeted_headers;
    o.max_object_size = cache.max_object_size;
    o.variants = cache.max_variants > 0;
    return o;
}

std::string_view to_string(ControlSource s) {
    switch (s) {
        case ControlSource::CacheControl:
            return "cache-control";
        case ControlSource::CdnCacheControl:
            return "cdn-cache-control";
        case ControlSource::SurrogateControl:
            return "surrogate-control";
    }
    return "unknown";
}

bool is_targeted_field(std::string_view name) {
    return http::iequals(name, "cdn-cache-control") || http::iequals(name, "surrogate-control");
}

EffectiveControl effective_cache_control(const http::HeaderList& headers, bool targeted) {
    if (targeted) {
        for (auto [field, source] : {std::pair{"cdn-cache-control", ControlSource::CdnCacheControl},
                                     {"surrogate-control", ControlSource::SurrogateControl}}) {
            if (!headers.contains(field)) continue;
            // RFC 9213 section 2.1: a CDN-Cache-Control that is not a valid Dictionary is
            // ignored as a whole (Surrogate-Control predates Structured Fields: not checked).
            if (source == ControlSource::CdnCacheControl &&
                !http::is_structured_dictionary_field(headers, field))
                continue;
            http::CacheControl cc = http::parse_cache_control(headers, field);
            if (!cc.empty) return {cc, source};  // RFC 9213: first valid, non-empty one
        }
    }
    return {http::parse_cache_control(headers), ControlSource::CacheControl};
}

RequestDirectives parse_request_directives(const http::HeaderList& headers,
                                           const ClientDirectiveOptions& options) {
    RequestDirectives rd;
    const http::CacheControl cc = http::parse_cache_control(headers);
    rd.only_if_cached = cc.only_if_cached;
    if (options.honor_no_cache) {
        rd.no_cache = cc.no_cache;
        rd.no_store = cc.no_store;
        if (cc.max_age) rd.max_age = Seconds{*cc.max_age};
        if (cc.max_age_malformed) rd.max_age = Seconds{0};  // most restrictive reading
        if (cc.min_fresh) rd.min_fresh = Seconds{*cc.min_fresh};
        // RFC 9111 section 5.4: Pragma: no-cache only when there is no Cache-Control field.
        if (!headers.contains("cache-control")) {
            for (const auto& h : headers)
                if (http::iequals(h.name, "pragma") && http::has_token(h.value, "no-cache"))
                    rd.no_cache = true;
        }
    }
    if (options.honor_max_stale) {
        rd.max_stale_any = cc.max_stale_any;
        if (cc.max_stale) rd.max_stale = Seconds{*cc.max_stale};
    }
    return rd;
}

ResponseVerdict evaluate_response(const ResponseInput& in, const HttpPolicyOptions& options) {
    ResponseVerdict v;
    static const http::HeaderList no_headers;
    const http::HeaderList& h = in.response_headers ? *in.response_headers : no_headers;
    auto refuse = [&](NoCacheReason r) {
        v.refusal = r;
        return v;
    };

    if (in.method != http::Method::Get && in.method != http::Method::Head)
        return refuse(NoCacheReason::MethodNotCacheable);
    if (in.status == 206) return refuse(NoCacheReason::PartialContent);
    if (in.status < 200 || in.status == 304 || in.status > 599)
        return refuse(NoCacheReason::StatusNotCacheable);

    const EffectiveControl ec = effective_cache_control(h, options.targeted_cache_control);
    const http::CacheControl& cc = ec.cc;
    v.source = ec.source;
    const bool use_expires = ec.source == ControlSource::CacheControl;
    if (!explicit_freshness(cc, h, use_expires) && !heuristically_cacheable(in.status) &&
        !cc.public_)
        return refuse(NoCacheReason::StatusNotCacheable);

    v.meta = parse_meta(in.status, h, cc, use_expires, in.request_time, in.response_time,
                        options.freshness);

    if (in.request_no_store) return refuse(NoCacheReason::RequestNoStore);
    if (cc.must_understand && !understood(in.status)) return refuse(NoCacheReason::MustUnderstand);
    if (cc.no_store && !(cc.must_understand && understood(in.status)))
        return refuse(NoCacheReason::CacheControlNoStore);
    if (cc.private_unqualified || cc.private_fields_overflow ||
        (cc.private_ && !cc.private_has_fields))
        return refuse(NoCacheReason::CacheControlPrivate);
    if (cc.private_has_fields) {
        add_listed(v.drop_fields, cc.private_fields);
        for (auto more : cc.private_fields_more) add_listed(v.drop_fields, more);
    }
    if (cc.no_cache_has_fields && !v.meta.no_cache) {
        add_listed(v.drop_fields, cc.no_cache_fields);
        for (auto more : cc.no_cache_fields_more) add_listed(v.drop_fields, more);
    }
    if (in.request_has_authorization && !v.meta.authorization_ok)
        return refuse(NoCacheReason::RequestHadAuthorization);
    if (vary_star(v.meta.vary)) return refuse(NoCacheReason::VaryStar);
    if (!v.meta.vary.empty() && !options.variants) return refuse(NoCacheReason::VaryUnsupported);
    const bool cookie_dropped =
        std::find(v.drop_fields.begin(), v.drop_fields.end(), "set-cookie") != v.drop_fields.end();
    if (h.contains("set-cookie") && !in.strip_set_cookie && !cookie_dropped)
        return refuse(NoCacheReason::HasSetCookie);

    const bool has_validator = !v.meta.etag.empty() || v.meta.last_modified.has_value();
    const bool fresh_on_arrival = !v.meta.no_cache && is_fresh(v.meta, in.response_time);
    Seconds if_error = v.meta.stale_if_error;
    if (if_error == Seconds{0} && cc.stale_if_error == std::nullopt)
        if_error = options.default_stale_if_error;
    const bool stale_forbidden = v.meta.must_revalidate || v.meta.no_cache;
    if (stale_forbidden) if_error = Seconds{0};
    if (!fresh_on_arrival && !has_validator && if_error == Seconds{0})
        return refuse(NoCacheReason::StaleWithoutValidator);
    if (in.body_size > options.max_object_size) return refuse(NoCacheReason::TooLarge);

    if (options.strip_targeted_headers) {
        add_unique(v.drop_fields, "cdn-cache-control");
        add_unique(v.drop_fields, "surrogate-control");
    }
    v.expires_at = v.meta.no_cache ? in.response_time : v.meta.fresh_until;
    const StaleWindows w = stale_windows(v.meta);
    v.grace_until = v.meta.fresh_until + w.while_revalidate;
    v.error_until = v.meta.fresh_until + if_error;
    v.meta.keep_until = std::max(
        {retention_deadline(v.meta, options.validator_keep), v.grace_until, v.error_until});
    return v;
}

http::HeaderList without_fields(const http::HeaderList& headers,
                                const std::vector<std::string>& names) {
    http::HeaderList out;
    for (const auto& f : headers) {
        const bool drop = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
            return http::iequals(f.name, n);
        });
        if (!drop) out.add(f.name, f.value);
    }
    return out;
}

ObjectDraft build_http_object(std::string key, int status, std::string_view reason_phrase,
                              const http::HeaderList& headers, std::string body,
                              const ResponseVerdict& v, bool strip_set_cookie,
                              std::string rule_name) {
    const http::HeaderList kept = without_fields(headers, v.drop_fields);
    ObjectDraft object = build_object(std::move(key), status, reason_phrase, kept, std::move(body),
                                      v.meta.response_time, std::chrono::milliseconds{0},
                                      strip_set_cookie, std::move(rule_name));
    object.meta = v.meta;
    object.expires_at = v.expires_at;
    return object;
}

}  // namespace larder::cache
