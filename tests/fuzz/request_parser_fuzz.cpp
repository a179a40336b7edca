// Fuzz target: http::RequestParser on client bytes.
//
// The input is what a client sends on one connection. It is parsed three ways, the way the
// session feeds the parser: whole, in two reads split at a point chosen from the input (the
// buffer reallocated in between, so the parser must re-point its views), and in small reads of a
// size chosen from the input, with body bytes dropped from the buffer while a body arrives
// (discard_body_bytes(), as the session does). Invariants:
// - all three ways give the same requests, the same final state and, for an error, the same
//   status: how TCP splits the bytes never changes what Larder reads (a trailer split across reads
//   once got a 400). The error's reason may differ (a bad field name after an HTTP/0.9 request
//   line reads as either, depending on where the read ends): both are 400;
// - a Complete request's views lie inside the buffer; path and query are the target's; the
//   version reads 1.0 or 1.1; an HTTP/1.1 request has exactly one Host, and every Host is valid;
//   Content-Length appears at most once and never beside Transfer-Encoding, which can only be
//   "chunked"; field names are tokens, values have no control bytes; the body fits max_body_size
//   and matches Content-Length; the field index agrees with a lookup by name;
// - an Error state names an error; the parser never consumes more than it was given; while no
//   header section has ended, the bytes the session must keep never pass max_header_size (empty
//   lines before a request line once grew the buffer without end).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "larder/http/request_parser.hpp"

namespace {

using larder::http::ParseError;
using larder::http::ParserLimits;
using larder::http::Request;
using larder::http::RequestParser;
using State = RequestParser::State;

// Small limits, so that inputs libFuzzer writes (a few KiB) reach them.
constexpr ParserLimits kLimits{.max_header_size = 1024, .max_body_size = 2048};

struct Outcome {
    std::vector<std::string> requests;  // a summary of each complete request
    State state = State::Idle;
    int error_status = 0;  // the answer to an Error: 400, 413, 431, 501 or 505
    bool operator==(const Outcome&) const = default;
};

bool inside(std::string_view v, const char* begin, const char* end) {
    return v.empty() || (v.data() >= begin && v.data() + v.size() <= end);
}

bool is_token_char(char c) {
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
}

void check_request(const Request& r, const char* begin, const char* end) {
    using larder::http::Field;
    using larder::http::iequals;
    FUZZ_CHECK(inside(r.method_text, begin, end));
    FUZZ_CHECK(inside(r.target, begin, end));
    FUZZ_CHECK(!r.target.empty());
    FUZZ_CHECK(r.version_major == 1 && r.version_minor <= 1);
    // path and query come from the target (the path of an absolute-form target may be "/").
    if (r.path != "/")
        FUZZ_CHECK(inside(r.path, r.target.data(), r.target.data() + r.target.size()));
    FUZZ_CHECK(inside(r.query, r.target.data(), r.target.data() + r.target.size()));
    std::size_t hosts = 0, lengths = 0, codings = 0;
    for (const auto& h : r.headers) {
        FUZZ_CHECK(inside(h.name, begin, end));
        FUZZ_CHECK(inside(h.value, begin, end));
        FUZZ_CHECK(!h.name.empty());
        for (char c : h.name) FUZZ_CHECK(is_token_char(c));
        for (unsigned char c : h.value) FUZZ_CHECK((c >= 0x20 || c == '\t') && c != 0x7f);
        if (iequals(h.name, "host")) {
            ++hosts;
            FUZZ_CHECK(larder::http::valid_host(h.value));
        }
        if (iequals(h.name, "content-length")) ++lengths;
        if (iequals(h.name, "transfer-encoding")) {
            ++codings;
            FUZZ_CHECK(iequals(h.value, "chunked"));
        }
    }
    FUZZ_CHECK(hosts <= 1);
    if (r.version_minor == 1) FUZZ_CHECK(hosts == 1);
    FUZZ_CHECK(lengths <= 1);
    FUZZ_CHECK(lengths == 0 || codings == 0);
    FUZZ_CHECK(r.body.size() <= kLimits.max_body_size);
    if (lengths == 1) {
        std::string_view text = *r.header("content-length");
        std::uint64_t declared = 0;
        auto [end_of_number, ec] =
            std::from_chars(text.data(), text.data() + text.size(), declared);
        FUZZ_CHECK(ec == std::errc{} && end_of_number == text.data() + text.size());
        FUZZ_CHECK(declared == r.body.size());
    }
    FUZZ_CHECK(r.field(Field::Host) == r.header("host"));
    FUZZ_CHECK(r.field(Field::Cookie) == r.header("cookie"));
    FUZZ_CHECK(r.field(Field::Connection) == r.header("connection"));
}

std::string summary(const Request& r) {
    std::string s;
    for (std::string_view part : {r.method_text, r.target, r.path, r.query}) {
        s.append(part);
        s.push_back('\n');
    }
    s += std::to_string(r.version_major) + "." + std::to_string(r.version_minor) +
         (r.keep_alive ? " keep-alive" : " close") + (r.expect_continue ? " continue\n" : "\n");
    for (const auto& h : r.headers) {
        s.append(h.name);
        s.push_back(':');
        s.append(h.value);
        s.push_back('\n');
    }
    s += r.body.to_string().value_or("<unreadable body>");
    return s;
}

// Feeds `input` in reads of the sizes `pieces` (the last one repeats), as the session does: the
// buffer grows by reallocation, complete requests are shifted out, body bytes are dropped.
Outcome feed(std::string_view input, const std::vector<std::size_t>& pieces) {
    RequestParser parser(kLimits);
    Outcome out;
    std::string buffer;
    std::size_t offset = 0, read = 0;
    for (;;) {
        if (offset < input.size()) {
            std::size_t n = pieces[std::min(read++, pieces.size() - 1)];
            std::string grown;  // a new allocation: every view must follow the bytes
            grown.reserve(buffer.size() + n);
            grown.append(buffer).append(input.substr(offset, n));
            buffer = std::move(grown);
            offset += std::min(n, input.size() - offset);
        }
        State s = parser.parse(buffer.data(), buffer.size());
        FUZZ_CHECK(parser.consumed() <= buffer.size());
        if (s == State::Complete) {
            const Request& r = parser.request();
            check_request(r, buffer.data(), buffer.data() + buffer.size());
            out.requests.push_back(summary(r));
            if (!r.keep_alive) return out.state = s, out;  // the session closes here
            buffer.erase(0, parser.consumed());
            parser.start_next(0);
            continue;
        }
        if (s == State::Error) {
            FUZZ_CHECK(parser.error() != ParseError::None);
            out.state = s;
            out.error_status = larder::http::status_for(parser.error());
            return out;
        }
        // Memory stays bounded: before a header section ends, the bytes kept fit the limit.
        if (s == State::Idle || s == State::InHeaders)
            FUZZ_CHECK(parser.consumed() <= kLimits.max_header_size);
        if (s == State::InBody && parser.header_end() != 0 &&
            parser.header_end() <= buffer.size()) {
            buffer.resize(parser.header_end());
            parser.discard_body_bytes();
        }
        if (offset >= input.size()) {
            out.state = s;
            return out;
        }
    }
}

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::uint64_t h = fnv1a(input);
    std::size_t split = size == 0 ? 0 : h % (size + 1);
    std::size_t small = 1 + (h >> 32) % 16;

    Outcome whole = feed(input, {size});
    Outcome two = feed(input, {split, size});
    Outcome pieces = feed(input, {small});
    FUZZ_CHECK(whole == two);
    FUZZ_CHECK(whole == pieces);
    return 0;
}
