// cache::policy: the storability checks, in a fixed order so the reported reason is stable:
// status, Authorization, Set-Cookie, Cache-Control private / no-store, Vary: *, size.
#include "larder/cache/policy.hpp"

#include <algorithm>

#include "larder/http/cache_control.hpp"

namespace larder::cache {

std::string_view to_string(NoCacheReason r) {
    switch (r) {
        case NoCacheReason::StatusNotCacheable:
            return "status_not_cacheable";
        case NoCacheReason::HasSetCookie:
            return "response_has_set_cookie";
        case NoCacheReason::CacheControlPrivate:
            return "cache_control_private";
        case NoCacheReason::CacheControlNoStore:
            return "cache_control_no_store";
        case NoCacheReason::TooLarge:
            return "too_large";
        case NoCacheReason::RequestHadAuthorization:
            return "request_had_authorization";
        case NoCacheReason::VaryStar:
            return "vary_star";
        case NoCacheReason::UpstreamError:
            return "upstream_error";
        case NoCacheReason::MethodNotCacheable:
            return "method_not_cacheable";
        case NoCacheReason::PartialContent:
            return "partial_content";
        case NoCacheReason::RequestNoStore:
            return "request_no_store";
        case NoCacheReason::MustUnderstand:
            return "must_understand";
        case NoCacheReason::StaleWithoutValidator:
            return "stale_without_validator";
        case NoCacheReason::VaryUnsupported:
            return "vary_unsupported";
        case NoCacheReason::EncodingUnsupported:
            return "encoding_unsupported";
        case NoCacheReason::EncodingInvalid:
            return "encoding_invalid";
        case NoCacheReason::NoTransformEncoded:
            return "no_transform_encoded";
    }
    return "unknown";
}

namespace {

bool status_cacheable(int status, const std::vector<int>* allowed) {
    if (!allowed) return status == 200;
    return std::find(allowed->begin(), allowed->end(), status) != allowed->end();
}

bool has_vary_star(const http::HeaderList& headers) {
    for (const auto& h : headers)
        if (http::iequals(h.name, "vary") && http::has_token(h.value, "*")) return true;
    return false;
}

}  // namespace

std::optional<NoCacheReason> refuse_to_store(const StorableInput& in,
                                             const StorableLimits& limits) {
    if (!status_cacheable(in.status, limits.cacheable_status))
        return NoCacheReason::StatusNotCacheable;
    if (in.request_has_authorization) return NoCacheReason::RequestHadAuthorization;
    static const http::HeaderList no_headers;
    const http::HeaderList& headers = in.response_headers ? *in.response_headers : no_headers;
    if (!in.strip_set_cookie && headers.contains("set-cookie")) return NoCacheReason::HasSetCookie;
    const http::CacheControl cc = http::parse_cache_control(headers);
    if (cc.private_) return NoCacheReason::CacheControlPrivate;
    if (cc.no_store) return NoCacheReason::CacheControlNoStore;
    if (has_vary_star(headers)) return NoCacheReason::VaryStar;
    if (in.body_size > limits.max_object_size) return NoCacheReason::TooLarge;
    return std::nullopt;
}

bool is_lasting(NoCacheReason reason) {
    switch (reason) {
        case NoCacheReason::HasSetCookie:
        case NoCacheReason::CacheControlPrivate:
        case NoCacheReason::CacheControlNoStore:
        case NoCacheReason::TooLarge:
        case NoCacheReason::VaryStar:
        case NoCacheReason::VaryUnsupported:
        case NoCacheReason::EncodingUnsupported:
        case NoCacheReason::EncodingInvalid:
        case NoCacheReason::NoTransformEncoded:
            return true;
        default:
            return false;
    }
}

}  // namespace larder::cache
