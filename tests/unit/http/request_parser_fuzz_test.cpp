// Robustness: mutated and random inputs, fed in random splits, never crash the parser, never
// make it read outside the buffer (run under AddressSanitizer), and always end in a state the
// session can act on.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "larder/http/request_parser.hpp"

using larder::http::ParserLimits;
using larder::http::RequestParser;
using State = RequestParser::State;

namespace {

const std::vector<std::string> kSeeds = {
    "GET /a?b=c HTTP/1.1\r\nHost: h\r\nCookie: a=1; b=2\r\n\r\n",
    "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
    "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
    "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: "
    "1\r\n\r\n",
    "GET http://h:80/a?b HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: ws\r\n\r\n"
    "OPTIONS * HTTP/1.2\r\nHost: [::1]:8080\r\n\r\n",
};

// Feeds `input` in random pieces, the way a socket delivers it, restarting after each complete
// request as the session does. Returns the final state.
State feed(const std::string& input, std::mt19937& rng) {
    RequestParser parser(ParserLimits{.max_header_size = 512, .max_body_size = 1024});
    std::string buffer;
    std::size_t offset = 0;
    for (int guard = 0; guard < 10000; ++guard) {
        if (offset < input.size()) {
            std::size_t n = 1 + rng() % 64;
            buffer.append(input, offset, n);
            offset += n;
        }
        State s = parser.parse(buffer.data(), buffer.size());
        if (s == State::Complete) {
            buffer.erase(0, parser.consumed());
            parser.start_next(0);
            continue;
        }
        if (s == State::InBody && parser.header_end() != 0 &&
            parser.header_end() <= buffer.size()) {
            buffer.resize(parser.header_end());
            parser.discard_body_bytes();
        }
        if (s == State::Error || offset >= input.size()) return s;
    }
    ADD_FAILURE() << "the parser did not finish";
    return State::Error;
}

}  // namespace

TEST(RequestParserFuzz, MutatedRequestsNeverCrashOrHang) {
    std::mt19937 rng(12345);
    const std::string alphabet =
        "GETPOS /?&=:;\r\n\t HTTP/1.01chunkedContent-Length-0123456789\x00\x7f\xff";
    for (int i = 0; i < 20000; ++i) {
        std::string input = kSeeds[rng() % kSeeds.size()];
        int edits = 1 + rng() % 6;
        for (int e = 0; e < edits && !input.empty(); ++e) {
            std::size_t at = rng() % input.size();
            switch (rng() % 3) {
                case 0:
                    input[at] = alphabet[rng() % alphabet.size()];
                    break;
                case 1:
                    input.insert(at, 1 + rng() % 40, alphabet[rng() % alphabet.size()]);
                    break;
                default:
                    input.erase(at, 1 + rng() % 8);
                    break;
            }
        }
        State s = feed(input, rng);
        EXPECT_TRUE(s == State::Idle || s == State::InHeaders || s == State::InBody ||
                    s == State::Error)
            << input;
    }
}

TEST(RequestParserFuzz, RandomBytesAreRejectedOrPending) {
    std::mt19937 rng(6789);
    for (int i = 0; i < 5000; ++i) {
        std::string input(1 + rng() % 600, '\0');
        for (auto& c : input) c = static_cast<char>(rng());
        State s = feed(input, rng);
        EXPECT_NE(s, State::Complete);
    }
}
