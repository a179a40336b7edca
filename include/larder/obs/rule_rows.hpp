// obs::RuleRows: which row of the per-rule response counters (Counters::responses) belongs to
// which rule name, for the daemon's whole life, across configuration reloads.
//
// The counter grids are allocated once, before any worker starts, with `capacity` rule rows
// plus the "no rule" row; a reload can neither grow them nor renumber them while workers count
// and the admin thread reads. So rows are given out by name, append-only: a rule keeps its row
// (and its counts) when a reload moves it, a new name takes the next free row, a removed rule's
// row stays (its counts are history; /metrics goes on listing it). When every row is taken, a
// new rule's responses are counted in the "no rule" row (row_for() returns `capacity`) and the
// reload logs it. Thread-safe: rows are given out under a mutex (at start and at reload),
// names() copies under it (at each scrape); the request path only reads a generation's
// precomputed index -> row vector.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace larder::obs {

class RuleRows {
  public:
    explicit RuleRows(std::size_t capacity) : capacity_(capacity) {}

    // The row of `name`, given out now if it has none; `capacity()` when every row is taken.
    std::uint32_t row_for(std::string_view name);
    // Every named row, in row order.
    std::vector<std::string> names() const;
    std::size_t capacity() const { return capacity_; }

  private:
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::vector<std::string> names_;
};

}  // namespace larder::obs
