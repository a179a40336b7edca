// max_header_size holds the same way however the reads fall (found by tests/fuzz/request_parser):
// the header section is measured from its first byte (empty lines before the request line
// included) to the end of its blank line, whether it arrives in one read or many, and anything
// wrong past the limit is 431 both ways.
#include <gtest/gtest.h>

#include <string>

#include "larder/http/request_parser.hpp"

using larder::http::ParseError;
using larder::http::ParserLimits;
using larder::http::RequestParser;
using larder::http::status_for;
using State = RequestParser::State;

namespace {

constexpr ParserLimits kLimits{.max_header_size = 128, .max_body_size = 64};

// The parser's answer to `bytes` arriving in two reads split at `split`: the final state, and
// the status of an error (0 when none).
std::pair<State, int> two_reads(const std::string& bytes, std::size_t split) {
    RequestParser parser(kLimits);
    std::string buffer = bytes.substr(0, split);
    State s = parser.parse(buffer.data(), buffer.size());
    if (s == State::Idle || s == State::InHeaders || s == State::InBody) {
        buffer = bytes;  // a new allocation, as when the session's buffer grows
        s = parser.parse(buffer.data(), buffer.size());
    }
    return {s, s == State::Error ? status_for(parser.error()) : 0};
}

// Every split point gives the answer the whole input gets; returns that answer.
std::pair<State, int> same_answer_at_every_split(const std::string& bytes) {
    auto whole = two_reads(bytes, bytes.size());
    for (std::size_t split = 0; split < bytes.size(); ++split)
        EXPECT_EQ(two_reads(bytes, split), whole) << "split at " << split;
    return whole;
}

std::string padded_request(std::size_t header_section_size) {
    std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
    std::string tail = "\r\n\r\n";
    return head + std::string(header_section_size - head.size() - tail.size(), 'a') + tail;
}

}  // namespace

TEST(RequestParserLimits, AHeaderSectionOfExactlyTheLimitIsServedHoweverItArrives) {
    auto answer = same_answer_at_every_split(padded_request(kLimits.max_header_size));
    EXPECT_EQ(answer.first, State::Complete);
}

TEST(RequestParserLimits, OneByteMoreIs431HoweverItArrives) {
    // Before: 431 only when a read ended inside the last CRLFs; whole, it was served.
    auto answer = same_answer_at_every_split(padded_request(kLimits.max_header_size + 1));
    EXPECT_EQ(answer, std::make_pair(State::Error, 431));
}

TEST(RequestParserLimits, ALongRequestLineWithoutFieldsIs431HoweverItArrives) {
    // Before: an HTTP/1.0 request line of any length, with no field, was served in one read.
    std::string line = "GET /" + std::string(kLimits.max_header_size, 'a') + " HTTP/1.0\r\n\r\n";
    EXPECT_EQ(same_answer_at_every_split(line), std::make_pair(State::Error, 431));
}

TEST(RequestParserLimits, AnErrorPastTheLimitIs431HoweverItArrives) {
    // A bad Host after the limit: 431 (a read ending before it already says so), not 400.
    std::string bytes = "GET / HTTP/1.1\r\nX: " + std::string(kLimits.max_header_size, 'a') +
                        "\r\nHost: a/b\r\n\r\n";
    EXPECT_EQ(same_answer_at_every_split(bytes), std::make_pair(State::Error, 431));
    // A bad field name past the limit: llhttp's own error, the same.
    bytes = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(kLimits.max_header_size, 'a') +
            "\r\nBad Name: 1\r\n\r\n";
    EXPECT_EQ(same_answer_at_every_split(bytes), std::make_pair(State::Error, 431));
}

TEST(RequestParserLimits, AFieldAfterAnHttp09LineIs400WhereverItsNameEnds) {
    // Found by tests/fuzz/request_parser (tests/fuzz/corpus/request_parser/
    // regression_http09_field_across_limit): an HTTP/0.9 request line ending inside the limit,
    // then a field whose name crosses it. llhttp reports the field name when the name or the read
    // ends, so the error's place was the end of the name in one read (past the limit: 431) and
    // the end of the read in small ones (inside it: 400). llhttp now never sees a byte past the
    // limit before the section ends, so it reports the name at the limit either way.
    std::string line = "GET /" + std::string(kLimits.max_header_size - 12, 'a') + "\r\n";
    std::string bytes = line + "Content-Length: 8\r\n\r\ndata";
    ASSERT_LT(line.size(), kLimits.max_header_size);
    ASSERT_GT(line.size() + std::string("Content-Length").size(), kLimits.max_header_size);
    EXPECT_EQ(same_answer_at_every_split(bytes), std::make_pair(State::Error, 400));
}

TEST(RequestParserLimits, AnErrorInsideTheLimitIs400EvenWhenLlhttpWouldSeeItLater) {
    // Found by tests/fuzz/request_parser (regression_lf_in_target_then_bad_bytes): a bare LF in
    // the target ends an HTTP/0.9 request line; the field name after it runs past the limit into
    // bytes no field name may hold. In one read llhttp stopped at those bytes (past the limit:
    // 431); in small reads the name was reported at the end of a read (400).
    std::string bytes = "GET /" + std::string(40, 'a') + "\n" +
                        std::string(kLimits.max_header_size, 'a') + "\xff\xff\r\n\r\n";
    EXPECT_EQ(same_answer_at_every_split(bytes), std::make_pair(State::Error, 400));
}

TEST(RequestParserLimits, EmptyLinesBeforeTheRequestLineCannotGrowTheBufferForever) {
    // Before: "\r\n" repeated was consumed in state Idle without end, and the session kept it all.
    RequestParser parser(kLimits);
    std::string buffer;
    State s = State::Idle;
    for (int i = 0; i < 1000 && s == State::Idle; ++i) {
        buffer += "\r\n";
        s = parser.parse(buffer.data(), buffer.size());
    }
    EXPECT_EQ(s, State::Error);
    EXPECT_EQ(parser.error(), ParseError::HeaderTooLarge);
    EXPECT_LE(buffer.size(), kLimits.max_header_size + 2);
    // A few are ignored, as RFC 9112 section 2.2 asks.
    auto answer = same_answer_at_every_split("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(answer.first, State::Complete);
}

TEST(RequestParserLimits, TheBodyFollowsTheHeaderCheckInTheSameRead) {
    std::string bytes = "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET";
    RequestParser parser(kLimits);
    ASSERT_EQ(parser.parse(bytes.data(), bytes.size()), State::Complete);
    EXPECT_EQ(parser.request().body.memory(), "abc");
    EXPECT_EQ(parser.consumed(), bytes.size() - 3);  // the next request's bytes stay unparsed
}
