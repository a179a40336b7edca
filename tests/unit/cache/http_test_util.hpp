// Helpers for the RFC 9111 policy tests: header lists that own their strings, dates relative to
// a ManualClock.
#pragma once

#include <deque>
#include <string>

#include "larder/http/headers.hpp"
#include "larder/http/http_date.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::testing {

// A HeaderList whose values live as long as the Headers object.
class Headers {
  public:
    Headers& add(std::string name, std::string value) {
        names_.push_back(std::move(name));
        values_.push_back(std::move(value));
        list_.add(names_.back(), values_.back());
        return *this;
    }
    const http::HeaderList& list() const { return list_; }
    operator const http::HeaderList&() const { return list_; }

  private:
    std::deque<std::string> names_, values_;
    http::HeaderList list_;
};

inline std::string date(obs::TimePoint t) {
    return http::format_http_date(t);
}

}  // namespace larder::cache::testing
