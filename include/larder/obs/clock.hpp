// Time as a parameter: policy code takes `now` and never reads a clock itself.
//
// SystemClock is what the daemon uses; ManualClock is what unit tests move by hand, so a test of
// "fresh for 60s" advances 61 seconds instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace larder::obs {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

class ManualClock final : public Clock {
  public:
    explicit ManualClock(TimePoint start = TimePoint{std::chrono::seconds{1'700'000'000}})
        : now_(start.time_since_epoch().count()) {}
    TimePoint now() const override { return TimePoint{TimePoint::duration{now_.load()}}; }
    void advance(std::chrono::nanoseconds d) {
        now_ += std::chrono::duration_cast<TimePoint::duration>(d).count();
    }

  private:
    std::atomic<TimePoint::rep> now_;
};

}  // namespace larder::obs
