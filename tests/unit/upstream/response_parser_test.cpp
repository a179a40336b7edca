// upstream::ResponseParser: framing, limits and refusals, read the way the exchange reads
// (response_reading.hpp), whole and split at every byte boundary.
#include "larder/upstream/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "response_reading.hpp"

namespace larder::upstream {
namespace {

using testing::Outcome;
using testing::read_like_exchange;
using State = ResponseParser::State;

constexpr std::size_t kWhole = std::string::npos;

// The outcome of reading `bytes` in one read, after checking that every split into two reads,
// and reads of one byte, give the same.
Outcome read_every_way(std::string_view bytes, bool head_request = false) {
    Outcome whole = read_like_exchange(bytes, {kWhole}, head_request);
    for (std::size_t split = 1; split < bytes.size(); ++split)
        EXPECT_EQ(read_like_exchange(bytes, {split, kWhole}, head_request), whole)
            << "split at " << split;
    EXPECT_EQ(read_like_exchange(bytes, {1}, head_request), whole) << "byte by byte";
    return whole;
}

TEST(ResponseParser, ContentLengthBodyAndFieldsAsSent) {
    Outcome r = read_every_way(
        "HTTP/1.1 200 Fine Thanks\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\n"
        "Vary:   Cookie \t\r\nSet-Cookie: b=2\r\nX-Empty:\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "Fine Thanks");
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.content_length, 5u);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(r.stray, 0u);
    using F = std::pair<std::string, std::string>;
    // Arrival order, duplicates kept where they came, values without surrounding whitespace.
    EXPECT_EQ(r.fields, (std::vector<F>{{"Content-Type", "text/html"},
                                        {"Set-Cookie", "a=1"},
                                        {"Vary", "Cookie"},
                                        {"Set-Cookie", "b=2"},
                                        {"X-Empty", ""},
                                        {"Content-Length", "5"}}));
}

TEST(ResponseParser, ChunkedBodyWithExtensionsAndTrailersDropped) {
    Outcome r = read_every_way(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n"
        "Server-Timing: db;dur=5\r\n\r\n");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.body, "hello 0123456789");
    EXPECT_FALSE(r.content_length);
    EXPECT_TRUE(r.keep_alive);
    ASSERT_EQ(r.fields.size(), 1u);  // trailer fields never join the head's
    EXPECT_EQ(r.fields[0].first, "Transfer-Encoding");
}

TEST(ResponseParser, BytesAfterTheResponseAreNeverParsed) {
    Outcome r = read_every_way("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokSTRAY");
    EXPECT_EQ(r.body, "ok");
    EXPECT_EQ(r.stray, 5u);
    r = read_every_way("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.stray, 8u);
}

TEST(ResponseParser, NoBodyForHeadRequests1xx204And304WhateverTheyDeclare) {
    Outcome head = read_every_way("HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nPOISON", true);
    EXPECT_EQ(head.state, State::Complete);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.content_length, 22u);  // what a GET would have sent
    EXPECT_EQ(head.stray, 6u);
    for (const char* status : {"204 No Content", "304 Not Modified"}) {
        Outcome r =
            read_every_way(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 4\r\n\r\nbody");
        EXPECT_EQ(r.state, State::Complete) << status;
        EXPECT_EQ(r.body, "") << status;
        EXPECT_EQ(r.stray, 4u) << status;
        EXPECT_TRUE(r.keep_alive) << status;
    }
}

TEST(ResponseParser, InterimHeadsComeBeforeTheFinalOne) {
    Outcome r = read_every_way(
        "HTTP/1.1 100 Continue\r\nContent-Length: 3\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_EQ(r.interim, (std::vector<int>{100, 103}));
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.body, "abc");
}

TEST(ResponseParser, BodyUntilCloseEndsWithTheConnection) {
    Outcome r = read_every_way("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.body, "all of it");
    EXPECT_FALSE(r.keep_alive);
    r = read_every_way("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_FALSE(r.keep_alive);  // HTTP/1.0 without keep-alive
    r = read_every_way("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_FALSE(r.keep_alive);
}

TEST(ResponseParser, AResponseCutShortIsNeverComplete) {
    for (const char* bytes : {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
                              "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", "HTTP/1.1 200"}) {
        Outcome r = read_every_way(bytes);
        EXPECT_EQ(r.state, State::Error) << bytes;
        EXPECT_EQ(r.error, ResponseParseError::CutShort) << bytes;
    }
}

TEST(ResponseParser, AmbiguousFramingIsRefused) {
    for (const char* bytes :
         {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"}) {
        Outcome r = read_every_way(bytes);
        EXPECT_EQ(r.state, State::Error) << bytes;
        EXPECT_EQ(r.error, ResponseParseError::AmbiguousLength) << bytes;
    }
}

TEST(ResponseParser, InvalidChunkSyntaxIsRefused) {
    // llhttp as built here (not its strict mode) takes any two bytes after a chunk's data.
    for (const char* chunks :
         {"zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", "5\r\nhello\rX0\r\n\r\n",
          "5\r\nhello\n\r0\r\n\r\n", "1\r\na\r\n2\r\nbcXX0\r\n\r\n", "FFFFFFFFFFFFFFFFFF\r\n",
          "5;\x01\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n"}) {
        Outcome r = read_every_way(
            std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + chunks);
        EXPECT_EQ(r.state, State::Error) << chunks;
        EXPECT_EQ(r.error, ResponseParseError::InvalidChunk) << chunks;
    }
}

TEST(ResponseParser, BadFieldsAndObsFoldAreRefused) {
    for (const char* field : {"X-Folded: one\r\n two", "X-Folded: one\r\n\ttwo", "Bad Name: v",
                              "X-Ctl: a\x01z", "(bad): v", ": empty-name"}) {
        Outcome r = read_every_way(std::string("HTTP/1.1 200 OK\r\n") + field +
                                   "\r\nContent-Length: 0\r\n\r\n");
        EXPECT_EQ(r.state, State::Error) << field;
        EXPECT_EQ(r.error, ResponseParseError::InvalidHeader) << field;
    }
}

TEST(ResponseParser, VersionsOtherThanHttp1AreRefused) {
    for (const char* line : {"HTTP/2.0 200 OK", "HTTP/0.9 200 OK", "HTTP/3.1 200 OK", "ICY 200 OK",
                             "HTTP/1.1 2000 OK", "HTTP/1.1 OK"}) {
        Outcome r = read_every_way(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
        EXPECT_EQ(r.state, State::Error) << line;
        EXPECT_EQ(r.error, ResponseParseError::Malformed) << line;
    }
    Outcome r = read_every_way("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_TRUE(r.keep_alive);
}

TEST(ResponseParser, StatusesOutsideTheRangeAndSwitchesParseAndTheCheckRefusesThem) {
    Outcome r = read_every_way("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.check, HeadCheck::NotAStatus);
    r = read_every_way(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nxx");
    EXPECT_EQ(r.check, HeadCheck::UnsolicitedSwitch);
    r = read_every_way("HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.check, HeadCheck::NotAStatus);
}

TEST(ResponseParser, TheHeadIsBoundedWhereverTheReadsEnd) {
    const std::string start = "HTTP/1.1 200 OK\r\nX-Big: ";
    const std::string end = "\r\nContent-Length: 0\r\n\r\n";
    std::string fits = start + std::string(kResponseHeaderLimit - start.size() - end.size(), 'v');
    fits += end;
    ASSERT_EQ(fits.size(), kResponseHeaderLimit);
    std::string over =
        start + std::string(kResponseHeaderLimit - start.size() - end.size() + 1, 'v') + end;
    for (std::vector<std::size_t> reads :
         {std::vector<std::size_t>{kWhole}, {4096}, {1000, 7}, {kResponseHeaderLimit - 1, 1}}) {
        Outcome ok = read_like_exchange(fits, reads);
        EXPECT_EQ(ok.state, State::Complete);
        Outcome refused = read_like_exchange(over, reads);
        EXPECT_EQ(refused.state, State::Error);
        EXPECT_EQ(refused.error, ResponseParseError::HeaderTooLarge);
        // Bytes that are wrong only past the limit are judged as too large, not as malformed.
        std::string bad = std::string(kResponseHeaderLimit, '\r') + "\x01";
        EXPECT_EQ(read_like_exchange(bad, reads).error, ResponseParseError::HeaderTooLarge);
    }
}

TEST(ResponseParser, TrailersAreBounded) {
    std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
    for (int i = 0; i < 70; ++i) bytes += "X-Trailer: " + std::string(1000, 't') + "\r\n";
    bytes += "\r\n";
    for (std::size_t read : {kWhole, std::size_t{512}}) {
        Outcome r = read_like_exchange(bytes, {read});
        EXPECT_EQ(r.state, State::Error);
        EXPECT_EQ(r.error, ResponseParseError::HeaderTooLarge);
    }
}

TEST(ResponseParser, StartForgetsTheLastResponse) {
    ResponseParser parser;
    std::string first = "HTTP/1.1 404 Not Found\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n";
    parser.start(false);
    ASSERT_EQ(parser.parse_head(first.data(), first.size()), State::Complete);
    std::string second = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz";
    parser.start(false);
    ASSERT_EQ(parser.parse_head(second.data(), second.size()), State::Body);
    EXPECT_EQ(parser.status(), 200);
    EXPECT_EQ(parser.headers().size(), 1u);
    EXPECT_EQ(parser.remaining(), 1u);
    std::string body;
    EXPECT_EQ(parser.parse_body(second.data() + parser.consumed(), 1, body), 1u);
    EXPECT_EQ(body, "z");
    EXPECT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(to_string(ResponseParseError::InvalidChunk), "invalid_chunk");
}

}  // namespace
}  // namespace larder::upstream
