// proxy::CacheStatus: how a response was produced, as X-Cache and the access log show it.
//
// HIT: served fresh from the store. MISS: a cache candidate fetched from the app (stored or, when
// the response refused storage, not). PASS: not a cache candidate (the reason says why).
// STALE: an expired object served during grace (while one background refresh runs) or because
// the app failed (stale-if-error). COALESCED: waited for another request's fetch of the same key
// and got its response. HIT-FOR-PASS: the key is known to be uncacheable, so the request went
// straight to the app without waiting for anyone. ERROR: Larder answered by itself (bad request,
// unreachable app server).
#pragma once

#include <cstddef>
#include <string_view>

namespace larder::proxy {

enum class CacheStatus { Hit, Miss, Pass, Stale, Coalesced, HitForPass, Error };
inline constexpr std::size_t kCacheStatusCount = 7;  // obs::Counters' columns: keep in step

constexpr std::string_view to_string(CacheStatus s) {
    switch (s) {
        case CacheStatus::Hit:
            return "HIT";
        case CacheStatus::Miss:
            return "MISS";
        case CacheStatus::Pass:
            return "PASS";
        case CacheStatus::Stale:
            return "STALE";
        case CacheStatus::Coalesced:
            return "COALESCED";
        case CacheStatus::HitForPass:
            return "HIT-FOR-PASS";
        case CacheStatus::Error:
            return "ERROR";
    }
    return "UNKNOWN";
}

}  // namespace larder::proxy
