// cache::OptionalTime: a time that may be absent (a stored response's Last-Modified and Date), in
// 8 bytes instead of std::optional's 16.
//
// Absent is TimePoint::min(), a time no HTTP date reaches (obs::TimePoint counts nanoseconds
// since 1970 in 64 bits, so min() is in the year 1677; http::parse_http_date clamps every date
// to 1900-2200). Reads like std::optional<obs::TimePoint> (has_value, operator bool, *,
// value_or, comparison with std::nullopt) so Meta's users did not change when it replaced one.
#pragma once

#include <chrono>
#include <optional>

#include "larder/obs/clock.hpp"

namespace larder::cache {

class OptionalTime {
  public:
    constexpr OptionalTime() noexcept = default;
    constexpr OptionalTime(std::nullopt_t) noexcept {}                // NOLINT
    constexpr OptionalTime(obs::TimePoint t) noexcept : t_(t) {}      // NOLINT
    constexpr OptionalTime(std::optional<obs::TimePoint> t) noexcept  // NOLINT
        : t_(t.value_or(kAbsent)) {}

    constexpr bool has_value() const noexcept { return t_ != kAbsent; }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    // Precondition (as for std::optional): has_value().
    constexpr obs::TimePoint operator*() const noexcept { return t_; }
    constexpr obs::TimePoint value_or(obs::TimePoint fallback) const noexcept {
        return has_value() ? t_ : fallback;
    }
    constexpr void reset() noexcept { t_ = kAbsent; }
    constexpr std::optional<obs::TimePoint> get() const noexcept {
        return has_value() ? std::optional<obs::TimePoint>(t_) : std::nullopt;
    }

    friend constexpr bool operator==(OptionalTime a, OptionalTime b) noexcept {
        return a.t_ == b.t_;
    }
    friend constexpr bool operator==(OptionalTime a, std::nullopt_t) noexcept {
        return !a.has_value();
    }
    // As std::optional: equal to a time when it holds that time (at any precision).
    template <class Duration>
    friend constexpr bool operator==(
        OptionalTime a, std::chrono::time_point<obs::TimePoint::clock, Duration> t) noexcept {
        return a.has_value() && a.t_ == t;
    }

  private:
    static constexpr obs::TimePoint kAbsent = obs::TimePoint::min();
    obs::TimePoint t_ = kAbsent;
};

}  // namespace larder::cache
