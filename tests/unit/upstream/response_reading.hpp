// Test helper: reads one response from in-memory bytes the way upstream::Exchange reads it from a
// socket (response_parser.hpp, response_head.hpp): the head from a growing buffer (interim heads
// dropped from its front), the final head's bytes copied out and the buffer's copy dropped, then
// the body in reads of at most body_piece_size(), and the server's close at the end of the bytes.
// `reads` is the size of each read in turn, the last one repeated.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/upstream/response_head.hpp"
#include "larder/upstream/response_parser.hpp"

namespace larder::upstream::testing {

struct Outcome {
    ResponseParser::State state = ResponseParser::State::Head;
    ResponseParseError error = ResponseParseError::None;
    HeadCheck check = HeadCheck::Final;
    std::vector<int> interim;  // statuses of the interim heads, in order
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> fields;
    std::optional<std::uint64_t> content_length;
    std::string body;
    bool keep_alive = false;
    std::size_t stray = 0;  // bytes after the response, never parsed

    bool operator==(const Outcome&) const = default;
};

// For test failures: every member, readably.
inline void PrintTo(const Outcome& o, std::ostream* os) {
    *os << "{state " << static_cast<int>(o.state) << ", error " << to_string(o.error) << ", check "
        << to_string(o.check) << ", interim " << o.interim.size() << ", status " << o.status
        << ", reason '" << o.reason << "', fields [";
    for (const auto& [name, value] : o.fields) *os << name << ": " << value << "; ";
    *os << "], length " << (o.content_length ? std::to_string(*o.content_length) : "none")
        << ", body '" << o.body << "', keep_alive " << o.keep_alive << ", stray " << o.stray << "}";
}

inline Outcome read_like_exchange(std::string_view bytes, std::vector<std::size_t> reads,
                                  bool head_request = false) {
    Outcome out;
    std::size_t pos = 0, read_index = 0;
    std::string buffer;
    // One read of at most `max` bytes; false at the end of the bytes (the server closed).
    auto read_more = [&](std::size_t max) {
        if (pos == bytes.size()) return false;
        std::size_t n = reads[std::min(read_index++, reads.size() - 1)];
        n = std::min({n, max, bytes.size() - pos});
        buffer.append(bytes.substr(pos, n));
        buffer.shrink_to_fit();  // the buffer moves: the parser must follow it
        pos += n;
        return true;
    };
    ResponseParser parser;
    for (;;) {
        parser.start(head_request);
        auto state = parser.parse_head(buffer.data(), buffer.size());
        while (state == ResponseParser::State::Head) {
            if (!read_more(std::string::npos))
                state = parser.finish();
            else
                state = parser.parse_head(buffer.data(), buffer.size());
        }
        out.state = state;
        out.error = parser.error();
        if (state == ResponseParser::State::Error) return out;
        out.check = check_head(parser.status());
        if (out.check == HeadCheck::Interim) {
            out.interim.push_back(parser.status());
            buffer.erase(0, parser.consumed());
            continue;
        }
        out.status = parser.status();
        if (out.check != HeadCheck::Final) return out;
        break;
    }
    std::string head = buffer.substr(0, parser.consumed());
    parser.rebase(head.data());
    std::fill_n(buffer.begin(), parser.consumed(), '#');  // stale views would read this
    buffer.erase(0, parser.consumed());
    while (parser.state() == ResponseParser::State::Body) {
        if (buffer.empty() && !read_more(body_piece_size(parser, out.body.size()))) {
            parser.finish();
            break;
        }
        buffer.erase(0, parser.parse_body(buffer.data(), buffer.size(), out.body));
    }
    out.state = parser.state();
    out.error = parser.error();
    out.reason = std::string(parser.reason());
    for (const auto& f : parser.headers()) out.fields.emplace_back(f.name, f.value);
    out.content_length = parser.content_length();
    out.keep_alive = parser.keep_alive();
    // Where an error was seen depends on the reads; what follows it is never read.
    if (out.state != ResponseParser::State::Error) out.stray = buffer.size() + (bytes.size() - pos);
    return out;
}

}  // namespace larder::upstream::testing
