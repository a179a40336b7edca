// http::RequestParser: incremental HTTP/1.x request parsing with llhttp, without copying.
//
// The caller owns one contiguous read buffer and calls parse() with all of its unparsed bytes;
// the parser remembers positions as offsets from the buffer start, so the caller may grow
// (reallocate) the buffer between calls as long as bytes already given keep their offsets; the
// request's views are re-pointed at the new buffer on the next parse().
// When a request is complete, parse() stops right after it (pipelined bytes stay unparsed) and
// request() holds views into the buffer, valid until the caller moves or drops those bytes.
// start_next() prepares for the next request; the caller may then shift the buffer so that the
// first unparsed byte is at offset 0.
//
// The body is kept by a BodyBuffer (body_buffer.hpp): in memory up to SpoolSettings::memory_limit,
// past it in an unlinked spool file; request().body views it once the request is complete. The
// buffer is cleared (its file closed) when the request fails and by start_next(), and the parser's
// destructor closes it on every other path (the client went away, a timeout).
//
// Limits are enforced while parsing: the header section (any empty lines before the request line,
// the request line, the field lines and the blank line) is bounded by max_header_size (431, also
// for a section that is wrong in other ways past that size, so the answer does not depend on where
// the reads end), the body by max_body_size (413; a declared Content-Length or a chunk size
// that would pass it fails at once, before its bytes arrive), a chunked body's trailer section by
// max_header_size (431). Request smuggling defences: a request with both Content-Length and
// Transfer-Encoding, conflicting Content-Lengths, a Transfer-Encoding other than "chunked" (501),
// obs-fold, invalid field names, a field name with '_' that reads as Content-Length or
// Transfer-Encoding once '_' becomes '-' (Transfer_Encoding: servers behind Larder may merge the
// two), a missing or repeated Host in HTTP/1.1: all are errors and the connection must close.
//
// Methods: any token (RFC 9110 section 9.1), read by the parser before llhttp, which knows a
// fixed list (src/http/method_token.hpp); Request::method is Method::Other for the ones Larder
// has no name for, and method_text holds the token as sent.
//
// Hardening (RFC 9112 / RFC 9110); each error closes the connection:
// - Versions: HTTP/1.x only; HTTP/1.2 and up are HTTP/1.1 (RFC 9110 section 2.5, version_minor
//   reads 1); HTTP/0.x, 2.x and later are 505; a request line without a version (HTTP/0.9) is 400.
// - The request-target is origin-form ("/path?query"), absolute-form ("http[s]://authority/path"
//   without userinfo, with a valid host), "*" for OPTIONS only, or authority-form for CONNECT
//   only; no control bytes, space, TAB, form feed, DEL or '#' anywhere in it (400).
// - Host must be uri-host [ ":" port ] (valid_host()): a value with '/', '?', '#', '@', space
//   or a control byte would let one page's answer be stored under another page's key (400).
// - Trailer fields of a chunked body are read, bounded and dropped: they never become header
//   fields (the body is forwarded de-chunked, without them). Each chunk's data must be followed
//   by CRLF exactly (400 invalid_chunk otherwise).
// - A chunked request in HTTP/1.0 is answered, then the connection closes (RFC 9112 section 6.1):
//   the sender may not frame it the way Larder read it.
// - A request with "Connection: Upgrade" is an ordinary request: Larder does not switch protocols
//   (the pipeline forwards it without Upgrade and Connection, hop-by-hop fields), so the bytes
//   after it are parsed as the next request. The bytes after a CONNECT are never parsed: its
//   request says keep_alive = false.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "larder/http/body_buffer.hpp"
#include "larder/http/request.hpp"

namespace larder::http {

enum class ParseError {
    None,
    Malformed,                  // 400
    InvalidHeader,              // 400: bad field name or value characters, obs-fold
    AmbiguousLength,            // 400: CL + TE, or conflicting CLs (smuggling)
    BadHost,                    // 400: missing or repeated Host in HTTP/1.1
    InvalidHost,                // 400: a Host value that is not uri-host [ ":" port ]
    InvalidTarget,              // 400: a request-target of no form RFC 9112 allows here
    HeaderTooLarge,             // 431
    BodyTooLarge,               // 413
    InvalidChunk,               // 400: chunked syntax, the CRLF after a chunk's data included
    UnsupportedTransferCoding,  // 501
    UnsupportedVersion,         // 505: HTTP/0.x (with a version), HTTP/2.0 and above
    BodySpoolFailed,            // 500: the body's spool file could not be created or written
};

std::string_view to_string(ParseError e);
// The status code a client gets for a parse error (400, 413, 431, 501 or 505).
int status_for(ParseError e);

// True when `host` is a valid Host field value: uri-host [ ":" port ] (RFC 9110 section 7.2,
// RFC 3986 section 3.2.2): a reg-name (unreserved, sub-delims, pct-encoded), an IPv4 address or
// a bracketed IP literal, then an optional ':' and digits. The empty value is valid (RFC 9112
// section 3.2); a port without a host is not.
bool valid_host(std::string_view host);

struct ParserLimits {
    std::size_t max_header_size = 16 * 1024;
    std::size_t max_body_size = 10 * 1024 * 1024;
};

class RequestParser {
  public:
    enum class State {
        Idle,       // no byte of the next request seen yet
        InHeaders,  // request line or header section in progress
        InBody,     // header section complete, body in progress
        Complete,   // request() is ready
        Error,      // error() says why; the connection must close after the answer
    };

    explicit RequestParser(ParserLimits limits, SpoolSettings spool = {});
    ~RequestParser();
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Parses bytes [buffer + consumed(), buffer + size). Returns the new state.
    State parse(const char* buffer, std::size_t size);

    // Bytes of the buffer the parser has consumed (offset of the first unparsed byte).
    std::size_t consumed() const { return consumed_; }
    // While InBody: every buffered byte from this offset on is body already copied into the
    // body buffer, so the caller may truncate its buffer back to here before reading more.
    std::size_t header_end() const { return header_end_; }
    // Tells the parser the caller dropped every buffered byte from header_end() on (InBody only).
    void discard_body_bytes() { consumed_ = header_end_; }

    State state() const { return state_; }
    ParseError error() const { return error_; }
    const Request& request() const { return request_; }
    Request& request() { return request_; }
    // True once the header section is complete and the client sent Expect: 100-continue.
    bool wants_continue() const { return request_.expect_continue && state_ == State::InBody; }
    // The body received so far (while InBody), or the complete one.
    const BodyBuffer& body() const { return body_; }

    // Forgets the finished request; the next parse() starts a new one at offset `new_consumed`
    // (the caller passes 0 after shifting its buffer, or consumed() when it did not).
    void start_next(std::size_t new_consumed);

  private:
    struct Span {
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    struct Callbacks;
    friend struct Callbacks;

    void fail(ParseError e);
    void reset_message();
    // At the end of the header section (offset `end`): its size, Host, framing, version. False
    // (and Error) when the request must be refused.
    bool check_header_section(std::size_t end);
    std::string_view view(Span s) const { return {base_ + s.offset, s.length}; }
    void append(Span& span, const char* at, std::size_t length);
    void finish_header_value();
    int count_trailer(std::size_t n);  // a trailer field's bytes: bounded, then dropped
    ParseError check_target() const;
    bool keep_alive() const;  // llhttp's answer; no after HTTP/1.0 chunked, or CONNECT
    void bind_views();        // (re)points the request's views at base_ from the stored offsets

    ParserLimits limits_;
    struct LlhttpState;
    std::unique_ptr<LlhttpState> ll_;
    State state_ = State::Idle;
    ParseError error_ = ParseError::None;
    Request request_;
    BodyBuffer body_;
    const char* base_ = nullptr;
    std::size_t consumed_ = 0;
    std::size_t message_start_ = 0;
    std::size_t header_end_ = 0;  // first buffered body byte (0: none seen yet)
    bool headers_ended_ = false;  // the header section's blank line was parsed

    Span method_, url_;
    Span field_, value_;
    std::vector<std::pair<Span, Span>> fields_;
    int host_count_ = 0;
    bool has_transfer_encoding_ = false;
    bool has_content_length_ = false;
    bool version_seen_ = false;      // the request line had an HTTP-version (not HTTP/0.9)
    std::size_t trailer_bytes_ = 0;  // field bytes of the trailer section (dropped)
    bool method_read_ = false;       // scan_method() has decided on this request's method
    bool stand_in_method_ = false;   // llhttp was given kStandInMethod (method_token.hpp)
    // The CRLF that must follow a chunk's data: llhttp as built here (not in its strict mode)
    // skips any two bytes there, so a front proxy that reads them as data would frame the body
    // differently. Checked by check_chunk_delimiter(), also across reads.
    int delimiter_left_ = 0;          // bytes of that CRLF not yet seen
    const char* data_end_ = nullptr;  // the end of the bytes parse() was given
    bool check_chunk_delimiter(const char* from);
};

}  // namespace larder::http
