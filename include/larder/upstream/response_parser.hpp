// upstream::ResponseParser: an app server's response read incrementally with llhttp
// (HTTP_RESPONSE), its head without copying.
//
// One parser reads one response at a time; start() prepares it for the next (after an interim
// 1xx, or on a new exchange). Two phases:
// - The head: parse_head() is given the caller's read buffer, whose offset 0 is the response's
//   first byte, and parses [consumed(), size). It remembers offsets, so the caller may grow
//   (reallocate) the buffer between calls; the views are re-pointed on the next call. It stops
//   right after the head's blank line: consumed() is then the head's size, and status(), reason()
//   and headers() are views into the buffer (every field in arrival order, duplicates kept,
//   values without surrounding whitespace), valid until the caller moves or drops those bytes, or
//   until rebase() is told where they went. A head longer than kResponseHeaderLimit (counted
//   from offset 0, any empty lines before the status line included) fails; llhttp never sees a
//   byte past the limit before the head ends, so where the reads end changes nothing.
// - The body: parse_body() is given the bytes after the head (from anywhere: the head's bytes
//   may be gone), appends the body's bytes to the caller's string (de-chunked) and says how many
//   it parsed: all of them, unless the response ended first (the rest is not this response's:
//   stray bytes). finish() is the server's close: it ends a body read until close and fails any
//   other unfinished response (a response cut short is never complete).
//
// Framing (RFC 9112 section 6): no body after a HEAD request (start(true)) or for 1xx, 204 and 304,
// whatever the head declares; else chunked, Content-Length, or until the server closes. A chunked
// body's trailer fields are read, bounded by kResponseHeaderLimit and dropped. Refused, the
// connection then being unusable: Content-Length with Transfer-Encoding, duplicate or invalid
// Content-Length, invalid chunk syntax (the CRLF after each chunk's data included: llhttp as
// built here, not in its strict mode, takes any two bytes there), a field name that is not a token,
// a value with control bytes, obs-fold (a line starting with a space or tab continues the previous
// value: RFC 9112 section 5.2 lets a proxy answer 502 instead of unfolding), a version other than
// HTTP/1.x (HTTP/1.2 and up read as HTTP/1.1), a status line llhttp cannot read. What a status
// means (1xx interim, 101, statuses outside 100-599) is for the caller (response_head.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/http/headers.hpp"

struct llhttp__internal_s;  // llhttp_t (llhttp.h, included by response_parser.cpp only)

namespace larder::upstream {

inline constexpr std::size_t kResponseHeaderLimit = 64 * 1024;

enum class ResponseParseError {
    None,
    Malformed,        // a status line, version or framing llhttp refuses
    InvalidHeader,    // a field name that is not a token, control bytes in a value, obs-fold
    AmbiguousLength,  // Content-Length with Transfer-Encoding, or duplicate Content-Lengths
    InvalidChunk,     // a chunk size, extension or delimiter that is not chunked syntax
    HeaderTooLarge,   // the head, or a chunked body's trailer section, past kResponseHeaderLimit
    CutShort,         // the server closed before the response ended
};

std::string_view to_string(ResponseParseError e);

class ResponseParser {
  public:
    enum class State {
        Head,      // the head is in progress
        Body,      // the head is complete, its body is in progress
        Complete,  // the response is complete (after the head alone when it has no body)
        Error,     // error() says why; the connection must close
    };

    // `memory` holds the fields' offsets (an Exchange gives it a buffer inside itself).
    explicit ResponseParser(std::pmr::memory_resource* memory = std::pmr::get_default_resource());
    ~ResponseParser();
    ResponseParser(const ResponseParser&) = delete;
    ResponseParser& operator=(const ResponseParser&) = delete;

    // Forgets the last response; the next parse_head() reads a new one from offset 0.
    // `head_request`: it answers a HEAD request, so it has no body.
    void start(bool head_request);

    // Head: parses [buffer + consumed(), buffer + size), stopping after the head.
    State parse_head(const char* buffer, std::size_t size);
    // The head's bytes now begin at `buffer` (the caller copied them, same offsets).
    void rebase(const char* buffer);
    // Bytes parsed by parse_head(): once the head is complete, its size.
    std::size_t consumed() const { return consumed_; }

    // Body: parses `data`, appending the body's bytes to `out`; returns how many of `data`
    // belong to the response (fewer than `size` only when it ended before them, or on Error).
    std::size_t parse_body(const char* data, std::size_t size, std::string& out);
    // The server closed the connection: Complete for a body read until close, else Error
    // (CutShort) unless already Complete.
    State finish();

    State state() const { return state_; }
    ResponseParseError error() const { return error_; }
    bool got_some() const { return consumed_ > 0; }

    // The head (valid once state() is past Head).
    int status() const { return status_; }
    std::string_view reason() const { return view(reason_); }
    const http::HeaderList& headers() const { return headers_; }
    // The declared Content-Length, whatever the framing (also for HEAD, 204, 304).
    std::optional<std::uint64_t> content_length() const { return declared_length_; }
    // Body bytes still to come when a Content-Length frames the body.
    std::optional<std::uint64_t> remaining() const;
    // The connection may carry another request once the response is Complete.
    bool keep_alive() const { return keep_alive_; }

  private:
    struct Span {
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    struct Callbacks;
    friend struct Callbacks;

    void fail(ResponseParseError e);
    void append(Span& span, const char* at, std::size_t length);
    int finish_field();                   // a header field's line is complete: check it, add it
    int count_trailer(std::size_t n);     // a trailer field's bytes: bounded, then dropped
    void end_head(std::size_t end);       // the head's blank line ended at offset `end`
    void move_views(const char* buffer);  // the buffer moved: re-point the head's views
    std::string_view view(Span s) const { return {base_ + s.offset, s.length}; }
    std::size_t offset(std::string_view v) const {
        return static_cast<std::size_t>(v.data() - base_);
    }
    // Checks the CRLF after a chunk's data over [from, end); false on any other byte.
    bool check_delimiter(const char* from, const char* end);

    llhttp__internal_s* ll() { return reinterpret_cast<llhttp__internal_s*>(ll_storage_); }
    const llhttp__internal_s* ll() const {
        return reinterpret_cast<const llhttp__internal_s*>(ll_storage_);
    }

    // llhttp's state lives inside the parser (no allocation); response_parser.cpp checks that
    // it fits.
    static constexpr std::size_t kLlhttpStateSize = 128;
    alignas(std::max_align_t) std::byte ll_storage_[kLlhttpStateSize];
    State state_ = State::Head;
    ResponseParseError error_ = ResponseParseError::None;
    const char* base_ = nullptr;
    std::size_t consumed_ = 0;
    bool head_request_ = false;
    bool head_ended_ = false;
    bool body_until_close_ = false;
    bool keep_alive_ = false;
    int status_ = 0;
    Span reason_, field_, value_;
    static constexpr std::size_t kTypicalFields = 24;
    http::HeaderList headers_;                        // views of base_...
    std::pmr::vector<std::pair<Span, Span>> fields_;  // ...kept as offsets too, for a move
    std::optional<std::uint64_t> declared_length_;
    std::size_t trailer_bytes_ = 0;
    std::string* out_ = nullptr;      // parse_body()'s sink while it runs
    const char* data_end_ = nullptr;  // and the end of its bytes
    int delimiter_left_ = 0;          // bytes of a chunk's closing CRLF not checked yet
};

}  // namespace larder::upstream
