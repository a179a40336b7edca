// Private to src/cluster/: what the purge bus's files share (purge_bus.hpp has the design).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "larder/cluster/purge_message.hpp"
#include "larder/cluster/redis_client.hpp"
#include "larder/cluster/stream_id.hpp"
#include "larder/config/config.hpp"

namespace larder::cluster::detail {

using std::chrono::milliseconds;

inline constexpr std::size_t kBatch = 500;  // entries per XRANGE / XREAD
inline constexpr milliseconds kFirstBackoff{100};
inline constexpr milliseconds kMaxBlock{500};     // XREAD BLOCK: how soon stop() is noticed
inline constexpr milliseconds kRefusedRetry{50};  // the store's ban list was full
// Redis unreachable at start, no known position: resume this long before start.
inline constexpr std::int64_t kUnknownPositionMarginMs = 60'000;

// One stream entry of an XRANGE or XREAD reply: [id, [field, value, ...]].
struct Entry {
    StreamId id;
    StreamFields fields;
};

// nullopt when the reply is not shaped like an entry (never trusted).
std::optional<Entry> entry_of(const RedisReply& reply);

// The id in [cluster] state_file; nullopt when unset, absent or unreadable.
std::optional<StreamId> read_state_file(const std::string& path);

}  // namespace larder::cluster::detail
