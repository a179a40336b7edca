// cluster::StreamId: a Redis stream entry id ("1700000000000-3": milliseconds, sequence).
//
// Ids grow with every XADD, so "has this node applied everything?" is a comparison, and the
// milliseconds part is when the entry was added (by Redis's clock): the difference between the
// stream's newest id and a node's last applied id is how far behind, in time, the node is.
// Parsing is strict (two decimal numbers, no sign, no spaces); a malformed id from Redis is
// treated as absent by the callers, never trusted.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder::cluster {

struct StreamId {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;

    static std::optional<StreamId> parse(std::string_view text);
    std::string text() const;  // "ms-seq"
    bool zero() const { return ms == 0 && seq == 0; }
    auto operator<=>(const StreamId&) const = default;
};

// How far `applied` trails `newest`, in milliseconds of stream time (0 when caught up).
std::int64_t lag_ms(const StreamId& applied, const StreamId& newest);

}  // namespace larder::cluster
