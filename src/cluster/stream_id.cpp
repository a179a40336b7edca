#include "larder/cluster/stream_id.hpp"

#include <charconv>

namespace larder::cluster {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<StreamId> StreamId::parse(std::string_view text) {
    auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto ms = number(text.substr(0, dash));
    auto seq = number(text.substr(dash + 1));
    if (!ms || !seq) return std::nullopt;
    return StreamId{*ms, *seq};
}

std::string StreamId::text() const {
    return std::to_string(ms) + "-" + std::to_string(seq);
}

std::int64_t lag_ms(const StreamId& applied, const StreamId& newest) {
    if (applied >= newest) return 0;
    if (newest.ms <= applied.ms) return 0;  // same millisecond, later sequence
    return static_cast<std::int64_t>(newest.ms - applied.ms);
}

}  // namespace larder::cluster
