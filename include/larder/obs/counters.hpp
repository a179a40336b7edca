// obs::Counters: monotonically increasing event counts (and two gauges), one block per worker.
//
// A worker only ever writes its own block (relaxed atomics, no contention, padded to its own
// cache lines); readers (the admin thread's /metrics and /stats.json) sum all blocks at scrape
// time. Responses are counted in one place, proxy::Pipeline::conclude() (and reject() for
// requests that never parsed), into `responses`: one row per rule, in config order, plus a last
// row for requests no rule decided, one column per proxy::CacheStatus. The grid is sized once
// from the config (CounterShape), so counting a response is an index computation and one relaxed
// increment, never a map lookup. Origin exchanges add their latency to a per-backend histogram
// (bucket bounds kLatencyBoundsUs) and their failed attempts to a per-backend, per-error grid.
// A default-constructed block (unit tests) has one rule row and one backend row; out-of-range
// rows land in the last row rather than out of bounds.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "larder/obs/top_keys.hpp"

namespace larder::obs {

// Columns of `responses`: proxy::CacheStatus has this many values (static_assert there).
inline constexpr std::size_t kCacheStatusCount = 7;
// Columns of `upstream_failures`: upstream::UpstreamError has this many values (static_assert
// there).
inline constexpr std::size_t kUpstreamErrorCount = 11;
// Columns of `encoded_responses`: http::ContentCoding has this many values (static_assert in
// src/proxy).
inline constexpr std::size_t kContentCodingCount = 3;
// Upper bounds of the origin latency histogram's buckets, in microseconds (1 ms to 10 s); one
// more bucket counts everything above the last.
inline constexpr std::array<std::uint64_t, 13> kLatencyBoundsUs = {
    1'000,   2'500,   5'000,     10'000,    25'000,    50'000,    100'000,
    250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

// A rows x columns table of relaxed counters, allocated once, on cache lines of its own.
class CounterGrid {
  public:
    CounterGrid(std::size_t rows, std::size_t columns);

    void add(std::size_t row, std::size_t column, std::uint64_t n = 1) {
        cell(row, column).fetch_add(n, std::memory_order_relaxed);
    }
    std::uint64_t get(std::size_t row, std::size_t column) const {
        return const_cast<CounterGrid*>(this)->cell(row, column).load(std::memory_order_relaxed);
    }
    std::size_t rows() const { return rows_; }
    std::size_t columns() const { return columns_; }

  private:
    struct alignas(64) Line {
        std::atomic<std::uint64_t> cells[8];
    };
    std::atomic<std::uint64_t>& cell(std::size_t row, std::size_t column) {
        std::size_t i = (row < rows_ ? row : rows_ - 1) * columns_ + column;
        return lines_[i / 8].cells[i % 8];
    }
    std::size_t rows_;
    std::size_t columns_;
    std::unique_ptr<Line[]> lines_;
};

struct CounterShape {
    std::size_t rules = 0;     // [[rules]] in the config
    std::size_t backends = 0;  // upstream servers
};

struct alignas(64) Counters {
    static constexpr std::uint32_t kNoRule = UINT32_MAX;  // the last `responses` row
    static constexpr std::size_t kNoBackend = SIZE_MAX;   // the last `upstream_failures` row
    static constexpr std::size_t kLatencyBuckets = kLatencyBoundsUs.size() + 1;  // + "above"

    explicit Counters(CounterShape shape = {});

    std::atomic<std::uint64_t> connections_accepted{0};
    // Idle keep-alive connections closed at max_connections to admit a new client.
    std::atomic<std::uint64_t> connections_closed_for_room{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> cache_stores{0};
    std::atomic<std::uint64_t> background_refreshes{0};
    std::atomic<std::uint64_t> client_errors{0};  // requests answered 4xx/501 by Larder itself
    std::atomic<std::uint64_t> upstream_requests{0};
    std::atomic<std::uint64_t> upstream_connects{0};
    std::atomic<std::uint64_t> upstream_reuses{0};
    std::atomic<std::uint64_t> upstream_retries{0};
    std::atomic<std::uint64_t> upstream_errors{0};  // requests answered with an upstream error
    // Content codings (docs/compression.md): representations decoded or compressed when a
    // response was stored; responses sent from a stored object, per coding
    // ([http::ContentCoding]: identity, gzip, br); body bytes those responses did not send
    // thanks to their coding.
    std::atomic<std::uint64_t> encodings_made{0};
    std::array<std::atomic<std::uint64_t>, kContentCodingCount> encoded_responses{};
    std::atomic<std::uint64_t> encoding_bytes_saved{0};
    // Gauge: requests of this worker waiting for another request's fetch right now.
    std::atomic<std::int64_t> coalesced_waiting{0};
    // Gauge: this worker's keep-alive connections waiting for their next request
    // (server::IdleConnections), the ones it may close at max_connections.
    std::atomic<std::int64_t> idle_client_connections{0};

    // [rule or kNoRule][CacheStatus]: every response, once.
    CounterGrid responses;
    // [backend or kNoBackend][UpstreamError]: failed attempts (a retried one counts too).
    CounterGrid upstream_failures;
    // [backend][bucket, then the sum of microseconds]: time from sending a request to its
    // response header, for exchanges that got one.
    CounterGrid upstream_latency;
    // The most hit keys, sampled (top_keys.hpp).
    TopKeys top_keys;

    static void bump(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
    void count_response(std::uint32_t rule, std::size_t cache_status) {
        responses.add(rule, cache_status);
    }
    void count_upstream_failure(std::size_t backend, std::size_t error) {
        upstream_failures.add(backend, error);
    }
    void observe_upstream_latency(std::size_t backend, std::chrono::microseconds latency);
    // Sum of a `responses` column over every row.
    std::uint64_t responses_with_status(std::size_t cache_status) const;
};

}  // namespace larder::obs
