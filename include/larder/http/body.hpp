// http::BodyView: a complete request body as the pipeline and the upstream exchange see it —
// either bytes in memory or an open spool file (http::BodyBuffer decides which).
//
// Like the rest of http::Request it is a view: it owns nothing, and stays valid while its owner
// (the session's parser, through its BodyBuffer) keeps the request, that is until the session
// starts on the next request. Copying a view copies no bytes. read() is positional, so the body
// can be read any number of times from any offset: a request re-sent upstream after a reset
// reads it again from the start.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace larder::http {

class BodyView {
  public:
    BodyView() = default;
    // A body held in memory (small bodies; hand-built requests in tests).
    explicit BodyView(std::string_view bytes) : memory_(bytes), size_(bytes.size()) {}
    // `size` bytes of the open file `fd`, from offset 0.
    BodyView(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

    std::uint64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    bool in_memory() const { return fd_ < 0; }
    // The bytes when in_memory(); empty for a spooled body.
    std::string_view memory() const { return memory_; }

    // Copies up to out.size() bytes from `offset` into `out`: the count (0 at or past the end),
    // or nullopt (errno set) when the spool file cannot be read.
    std::optional<std::size_t> read(std::uint64_t offset, std::span<char> out) const;
    // The whole body as a string, read in one piece: for tests and small bodies only.
    std::optional<std::string> to_string() const;

  private:
    std::string_view memory_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace larder::http
