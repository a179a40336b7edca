// obs::PurgeCounters: how many purges the admin API ran, by kind, and how many objects they
// removed. One instance per daemon (main owns it), bumped by the purge handlers on the admin
// thread and read by /metrics; plain relaxed atomics, no per-worker blocks (purges are rare).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace larder::obs {

enum class PurgeKind { Url, Prefix, Pattern, Tag };
inline constexpr std::size_t kPurgeKindCount = 4;

constexpr std::string_view to_string(PurgeKind k) {
    switch (k) {
        case PurgeKind::Url:
            return "url";
        case PurgeKind::Prefix:
            return "prefix";
        case PurgeKind::Pattern:
            return "pattern";
        case PurgeKind::Tag:
            return "tag";
    }
    return "unknown";
}

struct PurgeCounters {
    std::array<std::atomic<std::uint64_t>, kPurgeKindCount> purges{};  // by PurgeKind
    std::atomic<std::uint64_t> objects{0};  // objects removed (or marked stale, soft purges)

    void count(PurgeKind kind, std::uint64_t removed) {
        purges[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
        objects.fetch_add(removed, std::memory_order_relaxed);
    }
};

}  // namespace larder::obs
