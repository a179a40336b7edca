// cache::Purge: what an operator asks the store to forget, and how the store answers.
//
// Four kinds, each able to be soft (the objects are kept but never served as fresh again: grace
// serves them while one refresh runs, stale-if-error still applies — the safe choice for a busy
// page) or hard (removed):
//   - Url: the objects stored for one URL, every variant, whatever rule's key holds them (the
//     store's URL index; `subject` is Object::url, `matches` also compares the query the way the
//     rule that stored each object normalises it);
//   - Tag: the objects whose response named `subject` as a tag (the store's tag index: time
//     proportional to the objects removed, not to the store);
//   - Prefix and Pattern: the objects whose host and path (purge_subject()) start with a prefix
//     or match a regular expression; applied by a sweep that walks the store a few buckets per
//     lock, and meanwhile by every lookup that meets an object not yet tested (a ban list,
//     Varnish-style).
// Every purge also stays in the store's ban list for the purge window (the longest a fetch can
// last): an object whose fetch began before the purge (Object::epoch) is tested when it is
// stored, so a purge never races with a fetch in flight. `matches` runs under a shard lock: it
// must be thread-safe, cheap, and must not call the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "larder/cache/object.hpp"
#include "larder/obs/purge_counters.hpp"

namespace larder::cache {

// The kinds are obs::PurgeKind, so the metrics count them by the same names (url, prefix,
// pattern, tag; obs::to_string).
using PurgeKind = obs::PurgeKind;

struct Purge {
    PurgeKind kind = PurgeKind::Url;
    bool soft = false;
    std::string subject;  // Url: the object url; Tag: the tag; Prefix/Pattern: as given
    std::function<bool(const Object&)> matches;
};

enum class PurgeRefusal : std::uint8_t { None, TooManyPending };
const char* to_string(PurgeRefusal refusal);

struct PurgeResult {
    PurgeRefusal refusal = PurgeRefusal::None;
    std::uint64_t id = 0;     // the purge's sequence number (its place in the ban list)
    std::size_t objects = 0;  // removed (hard) or newly marked stale (soft), on every shard
};

// The text prefix and pattern purges match: the object's url without its scheme, i.e.
// "host/path" ("example.com/blog/post"), followed by "?query" when it has one.
std::string purge_subject(const Object& object);

}  // namespace larder::cache
