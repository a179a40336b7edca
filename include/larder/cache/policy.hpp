// cache::policy: may this response be stored? Pure functions of (decision, request, response).
//
// Conservative by construction: anything that might be one visitor's private answer is refused
// with a named reason. This is the check for a rule's forced TTL; the RFC 9111 policy that
// `[cache] default = "http"` and `cache = "origin"` use is in http_policy.hpp and extends the
// same enum.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "larder/http/headers.hpp"

namespace larder::cache {

// Why a response was not stored. Names (to_string) appear in logs, X-Cache-Reason and tests.
enum class NoCacheReason {
    StatusNotCacheable,
    HasSetCookie,
    CacheControlPrivate,
    CacheControlNoStore,
    TooLarge,
    RequestHadAuthorization,
    VaryStar,
    UpstreamError,
    // RFC 9111 policy (http_policy.hpp):
    MethodNotCacheable,     // not GET or HEAD
    PartialContent,         // 206: Larder stores only complete responses
    RequestNoStore,         // the client sent Cache-Control: no-store (honoured)
    MustUnderstand,         // must-understand on a status Larder does not implement caching for
    StaleWithoutValidator,  // not fresh on arrival (or no-cache) and nothing to revalidate with
    VaryUnsupported,        // Vary, but variants are disabled (max_variants = 0) or the caller
                            // cannot store them
    // Content codings (encode_at_store.hpp):
    EncodingUnsupported,  // a Content-Encoding other than gzip or br, or several stacked
    EncodingInvalid,      // a gzip or br body that does not decode
    NoTransformEncoded,   // encoded, with no-transform: no identity may be made for the others
};

std::string_view to_string(NoCacheReason r);

// True for the reasons that say a key will keep being uncacheable (hit-for-pass remembers them);
// temporary failures (5xx, timeouts) never count: the next request must try to fill the cache.
bool is_lasting(NoCacheReason reason);

struct StorableInput {
    int status = 0;
    const http::HeaderList* response_headers = nullptr;
    std::size_t body_size = 0;
    bool request_has_authorization = false;
    bool strip_set_cookie = false;  // the rule will strip Set-Cookie before storing
};

struct StorableLimits {
    std::size_t max_object_size = 1024 * 1024;
    const std::vector<int>* cacheable_status = nullptr;  // default [200] when null
};

// nullopt when the response may be stored; otherwise the first reason it may not.
std::optional<NoCacheReason> refuse_to_store(const StorableInput& in, const StorableLimits& limits);

}  // namespace larder::cache
