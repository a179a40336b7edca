// http::BodyBuffer: where a request body accumulates while it arrives — in memory up to a
// threshold, past it in an unlinked spool file (SpoolFile) — so that what a connection holds in
// RAM for its body is bounded by the threshold, not by max_body_size.
//
// append() keeps bytes in memory while the body is at most `memory_limit` bytes (the memory
// never grows past that: the string's capacity is capped); the append that would take it over
// opens a spool file in `directory`, moves the bytes already held there, frees the memory, and
// from then on every append is written to the file. view() is the complete body for the request
// (BodyView), valid until the next append() or clear(). clear() closes the file and frees the
// memory: the owner (the request parser) calls it when a request is done or failed, and the
// destructor does it on every other path.
//
// Invariants: spooled() implies the memory is released; size() == bytes appended since clear();
// the memory's capacity never exceeds memory_limit (beyond std::string's inline bytes), and
// clear() keeps at most 4 KiB of it. The caller enforces max_body_size (the parser does, before
// appending).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "larder/http/body.hpp"
#include "larder/http/spool_file.hpp"

namespace larder::http {

struct SpoolSettings {
    std::size_t memory_limit = 64 * 1024;  // larger bodies go to a file ([server] body_buffer_size)
    std::string directory;                 // empty: default_spool_directory()
};

class BodyBuffer {
  public:
    explicit BodyBuffer(SpoolSettings settings);

    // Adds bytes at the end. False (errno set) when the spool file cannot be created or written;
    // the buffer is then cleared and the request must fail.
    bool append(std::string_view bytes);
    void clear();

    std::uint64_t size() const { return spooled() ? file_.size() : memory_.size(); }
    bool spooled() const { return file_.is_open(); }
    BodyView view() const;
    const SpoolSettings& settings() const { return settings_; }
    // errno of the last append() that failed (0: none yet), for the error log.
    int last_error() const { return last_error_; }

  private:
    bool spool(std::string_view more);
    bool failed();  // records errno, clears, returns false

    SpoolSettings settings_;
    std::string memory_;
    SpoolFile file_;
    int last_error_ = 0;
};

}  // namespace larder::http
