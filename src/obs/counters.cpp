// CounterGrid allocation and the few Counters operations that are more than one increment.
#include "larder/obs/counters.hpp"

#include <algorithm>

namespace larder::obs {

CounterGrid::CounterGrid(std::size_t rows, std::size_t columns)
    : rows_(std::max<std::size_t>(rows, 1)),
      columns_(std::max<std::size_t>(columns, 1)),
      lines_(std::make_unique<Line[]>((rows_ * columns_ + 7) / 8)) {}

Counters::Counters(CounterShape shape)
    : responses(shape.rules + 1, kCacheStatusCount),
      upstream_failures(shape.backends + 1, kUpstreamErrorCount),
      upstream_latency(shape.backends, kLatencyBuckets + 1) {}

void Counters::observe_upstream_latency(std::size_t backend, std::chrono::microseconds latency) {
    auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    auto bucket = static_cast<std::size_t>(
        std::lower_bound(kLatencyBoundsUs.begin(), kLatencyBoundsUs.end(), us) -
        kLatencyBoundsUs.begin());
    upstream_latency.add(backend, bucket);
    upstream_latency.add(backend, kLatencyBuckets, us);
}

std::uint64_t Counters::responses_with_status(std::size_t cache_status) const {
    std::uint64_t total = 0;
    for (std::size_t row = 0; row < responses.rows(); ++row)
        total += responses.get(row, cache_status);
    return total;
}

}  // namespace larder::obs
