// cache::StoredKey: what the store holds for one primary key, as Store::inspect() reports it
// (for `larder explain --admin` and the admin API's /explain).
//
// A snapshot taken under the key's shard lock: sizes, times and flags copied, never a body or a
// head. The times are the store's (obs::TimePoint); whether a variant is fresh for a given
// request is the policy's call (lookup.hpp) and is not repeated here: `expires_at` is when the
// object stops being a plain hit, `grace_until`/`error_until` how long it may be served stale.
// Hits are not counted per object (that would cost a counter per slot); `referenced` is the
// CLOCK bit: the object was hit (or stored) since the eviction hand last passed it. A purge by
// prefix or pattern still waiting to be applied to an object (the ban list, purge.hpp) is not
// reflected: such an object is listed until its next lookup or the sweep removes it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "larder/obs/clock.hpp"

namespace larder::cache {

struct StoredVariant {
    std::string secondary;  // the Vary fields' values that select it; empty for a plain object
    int status = 0;
    std::size_t body_bytes = 0;
    std::size_t charge = 0;  // bytes charged to the store's budget (Object::charge)
    obs::TimePoint stored_at{};
    obs::TimePoint expires_at{};
    obs::TimePoint grace_until{};
    obs::TimePoint error_until{};
    bool referenced = false;
    bool http_policy = false;  // built under RFC 9111 (meta.parsed), else a rule's TTL
    std::string etag;
    std::string rule_name;
    std::string tags;  // the purge tags the app gave it, space-separated (Object::tags)
};

struct StoredKey {
    std::string vary;  // the entry's normalised Vary (lower-case names); empty without Vary
    std::vector<StoredVariant> variants;  // newest first
    std::size_t flights = 0;              // fetches in flight for this key now
    std::optional<obs::TimePoint> hit_for_pass_until;
};

}  // namespace larder::cache
