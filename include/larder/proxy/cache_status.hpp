// proxy::CacheStatus: how a response was produced, as X-Cache and the access log show it.
//
// HIT: served from the store. MISS: a cache candidate fetched from the app (stored or, when
// the response refused storage, not). PASS: not a cache candidate (the reason says why).
// ERROR: Larder answered by itself (bad request, unreachable app server).
#pragma once

#include <string_view>

namespace larder::proxy {

enum class CacheStatus { Hit, Miss, Pass, Error };

constexpr std::string_view to_string(CacheStatus s) {
    switch (s) {
        case CacheStatus::Hit: return "HIT";
        case CacheStatus::Miss: return "MISS";
        case CacheStatus::Pass: return "PASS";
        case CacheStatus::Error: return "ERROR";
    }
    return "UNKNOWN";
}

}  // namespace larder::proxy
