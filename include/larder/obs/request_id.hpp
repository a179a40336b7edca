// obs::RequestIds: the request id every request carries (X-Request-Id upstream and back to the
// client, and in the access log).
//
// An id is 32 lower-case hex digits: a random 64-bit prefix drawn once per generator (one per
// worker, so per process and per restart) followed by a 64-bit counter. Unique within a process
// without any shared state, unique across workers and restarts with overwhelming probability,
// and the length of a W3C trace-id. next() costs a counter increment and 16 hex digits; it
// never allocates.
//
// A client's own X-Request-Id is kept when acceptable_request_id() says so: 1 to
// kMaxRequestIdLength bytes, each visible ASCII (0x21-0x7e). Anything else (empty, too long,
// spaces, control or non-ASCII bytes) is replaced by a generated id, so what goes upstream, back
// to the client and into the log is always a short, printable token.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace larder::obs {

inline constexpr std::size_t kMaxRequestIdLength = 128;

bool acceptable_request_id(std::string_view id);

class RequestIds {
  public:
    // A random prefix from std::random_device.
    RequestIds();
    explicit RequestIds(std::uint64_t prefix) : prefix_(prefix) {}

    struct Id {
        std::array<char, 32> text{};
        std::string_view view() const { return {text.data(), text.size()}; }
    };
    Id next();

  private:
    std::uint64_t prefix_;
    std::uint64_t counter_ = 0;
};

}  // namespace larder::obs
