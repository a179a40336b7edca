// upstream response head: the checks the exchange applies to an app server's response, driven
// the way Exchange reads (response_reading.hpp: the parser over a buffer that grows read by read,
// the body in pieces of body_piece_size()).
#include "larder/upstream/response_head.hpp"

#include <gtest/gtest.h>

#include <string>

#include "response_reading.hpp"

namespace larder::upstream {
namespace {

using testing::Outcome;
using testing::read_like_exchange;
using State = ResponseParser::State;

TEST(ResponseHead, StatusChecks) {
    EXPECT_EQ(check_head(200), HeadCheck::Final);
    EXPECT_EQ(check_head(599), HeadCheck::Final);
    EXPECT_EQ(check_head(100), HeadCheck::Interim);
    EXPECT_EQ(check_head(103), HeadCheck::Interim);
    EXPECT_EQ(check_head(101), HeadCheck::UnsolicitedSwitch);
    EXPECT_EQ(check_head(99), HeadCheck::NotAStatus);
    EXPECT_EQ(check_head(600), HeadCheck::NotAStatus);
    EXPECT_EQ(to_string(HeadCheck::UnsolicitedSwitch), "unsolicited_switch");
}

TEST(ResponseHead, InterimResponsesAreSkippedAndBodiesReadInPieces) {
    std::string body(100000, 'b');
    std::string bytes =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: <a>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" +
        body;
    for (std::size_t read_size : {std::size_t{1}, std::size_t{7}, std::string::npos}) {
        Outcome r = read_like_exchange(bytes, {read_size});
        EXPECT_EQ(r.state, State::Complete);
        EXPECT_EQ(r.interim, (std::vector<int>{100, 103}));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, body);
    }
}

TEST(ResponseHead, NoBodyForHeadWhateverContentLengthSays) {
    Outcome r = read_like_exchange(
        "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nPOISONED-BY-LEFTOVERS!", {3}, true);
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.stray, 22u);  // left for the pool to find: the connection is never reused
}

TEST(ResponseHead, AnEmptyChunkedBodyArrivingByteByByteParses) {
    // Found by tests/fuzz/origin_response (corpus: regression_empty_chunked_split) when Beast read
    // responses: its BOOST_ASSERT(n >= 5) in parse_chunk_header aborted the process when "0\r\n"
    // and the next byte arrived in separate reads.
    Outcome r =
        read_like_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {1});
    EXPECT_EQ(r.state, State::Complete);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
}

TEST(ResponseHead, PiecesFollowTheRemainingLength) {
    ResponseParser parser;
    parser.start(false);
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    ASSERT_EQ(parser.parse_head(head.data(), head.size()), State::Body);
    EXPECT_EQ(body_piece_size(parser, 0), 10u);
    std::string body;
    parser.parse_body(head.data() + parser.consumed(), 3, body);
    EXPECT_EQ(body_piece_size(parser, body.size()), 7u);
    ResponseParser unknown;
    unknown.start(false);
    head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    ASSERT_EQ(unknown.parse_head(head.data(), head.size()), State::Body);
    EXPECT_EQ(body_piece_size(unknown, 0), 4096u);
    EXPECT_EQ(body_piece_size(unknown, 10000), 10000u);
    EXPECT_EQ(body_piece_size(unknown, 1 << 20), kBodyPieceLimit);
}

TEST(ResponseHead, InterimHeadKeepsEndToEndFieldsOnly) {
    ResponseParser parser;
    parser.start(false);
    std::string head =
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: keep-alive, "
        "X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nLink: </b.js>; rel=preload\r\n\r\n";
    ASSERT_EQ(parser.parse_head(head.data(), head.size()), State::Complete);
    EXPECT_EQ(interim_head(parser),
              "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
              "Link: </b.js>; rel=preload\r\n\r\n");
}

}  // namespace
}  // namespace larder::upstream
