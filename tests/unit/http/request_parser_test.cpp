// The llhttp wrapper: split input, pipelining, limits and request smuggling defences.
#include "larder/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>

using larder::http::Method;
using larder::http::ParseError;
using larder::http::ParserLimits;
using larder::http::RequestParser;
using State = RequestParser::State;

namespace {

// The request's views point into `bytes`, so it takes lvalues only: a temporary would dangle.
State parse_all(RequestParser& p, std::string&& bytes) = delete;
State parse_all(RequestParser& p, const std::string& bytes) {
    return p.parse(bytes.data(), bytes.size());
}

ParseError error_of(const std::string& bytes, ParserLimits limits = {}) {
    RequestParser p(limits);
    EXPECT_EQ(parse_all(p, bytes), State::Error) << bytes;
    return p.error();
}

}  // namespace

TEST(RequestParser, ParsesSimpleGet) {
    RequestParser p({});
    std::string in = "GET /about?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nCookie: a=b\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    const auto& r = p.request();
    EXPECT_EQ(r.method, Method::Get);
    EXPECT_EQ(r.target, "/about?x=1&y=2");
    EXPECT_EQ(r.path, "/about");
    EXPECT_EQ(r.query, "x=1&y=2");
    EXPECT_EQ(r.host(), "example.com");
    EXPECT_EQ(r.header("COOKIE").value(), "a=b");
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(p.consumed(), in.size());
}

TEST(RequestParser, ByteByByteSplitGivesTheSameRequest) {
    std::string in =
        "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nX-Long-Header: "
        "abcdefghij\r\n\r\nhello world";
    RequestParser p({});
    State s = State::Idle;
    for (std::size_t n = 1; n <= in.size(); ++n) s = p.parse(in.data(), n);
    ASSERT_EQ(s, State::Complete);
    EXPECT_EQ(p.request().method, Method::Post);
    EXPECT_EQ(p.request().header("x-long-header").value(), "abcdefghij");
    EXPECT_EQ(p.request().body.memory(), "hello world");
}

TEST(RequestParser, PipelinedRequestsStopAtEachMessageEnd) {
    std::string in =
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 "
        "HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p({});
    std::vector<std::string> targets;
    while (p.parse(in.data(), in.size()) == State::Complete) {
        targets.emplace_back(p.request().target);
        p.start_next(p.consumed());
    }
    EXPECT_EQ(targets, (std::vector<std::string>{"/1", "/2", "/3"}));
    EXPECT_EQ(p.state(), State::Idle);
}

TEST(RequestParser, ChunkedBodyIsDechunked) {
    std::string in =
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
        "world\r\n0\r\n\r\n";
    RequestParser p({});
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().body.memory(), "hello world");
}

TEST(RequestParser, Http10DefaultsToClose) {
    RequestParser p({});
    const std::string in = "GET / HTTP/1.0\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_FALSE(p.request().keep_alive);
    EXPECT_EQ(p.request().version_minor, 0u);
}

TEST(RequestParser, ConnectionCloseIsNotKeepAlive) {
    RequestParser p({});
    const std::string in = "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_FALSE(p.request().keep_alive);
}

TEST(RequestParser, ExpectContinueIsReportedAfterHeaders) {
    RequestParser p({});
    std::string in =
        "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::InBody);
    EXPECT_TRUE(p.wants_continue());
    in += "abc";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().body.memory(), "abc");
}

TEST(RequestParser, DiscardingBodyBytesKeepsHeaderViews) {
    RequestParser p({});
    std::string buf = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc";
    ASSERT_EQ(parse_all(p, buf), State::InBody);
    buf.resize(p.header_end());
    p.discard_body_bytes();
    buf += "def";
    ASSERT_EQ(parse_all(p, buf), State::Complete);
    EXPECT_EQ(p.request().body.memory(), "abcdef");
    EXPECT_EQ(p.request().path, "/x");
}

TEST(RequestParser, ViewsFollowTheBufferWhenItMovesDuringTheBody) {
    RequestParser p({});
    std::string first =
        "POST /moved?q=1 HTTP/1.1\r\nHost: h\r\nX-Keep: yes\r\nContent-Length: 3\r\n\r\na";
    ASSERT_EQ(parse_all(p, first), State::InBody);
    std::string moved = first + "bc";  // a different allocation, as after the session's resize
    first.assign(first.size(), '#');   // the old bytes are gone
    ASSERT_EQ(parse_all(p, moved), State::Complete);
    EXPECT_EQ(p.request().path, "/moved");
    EXPECT_EQ(p.request().query, "q=1");
    EXPECT_EQ(p.request().header("x-keep").value(), "yes");
    EXPECT_EQ(p.request().method_text, "POST");
    EXPECT_EQ(p.request().body.memory(), "abc");
}

TEST(RequestParser, AbsoluteFormTargetYieldsOriginPath) {
    RequestParser p({});
    const std::string in = "GET http://h:8080/a/b?q=1 HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().path, "/a/b");
    EXPECT_EQ(p.request().query, "q=1");
}

TEST(RequestParser, GarbageIsMalformed) {
    EXPECT_EQ(error_of("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), ParseError::Malformed);
    EXPECT_EQ(error_of("GET / HTTP/9.9\r\n\r\n"), ParseError::UnsupportedVersion);
}

TEST(RequestParser, ContentLengthWithTransferEncodingIsRejected) {
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n"),
              ParseError::AmbiguousLength);
}

TEST(RequestParser, ConflictingContentLengthsAreRejected) {
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: "
                       "4\r\n\r\nabcd"),
              ParseError::AmbiguousLength);
}

TEST(RequestParser, InvalidHeaderNameIsRejected) {
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"),
              ParseError::InvalidHeader);
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\nBad\x01Name: x\r\n\r\n"),
              ParseError::InvalidHeader);
}

TEST(RequestParser, ObsFoldIsRejected) {
    auto e = error_of("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n");
    EXPECT_TRUE(e == ParseError::InvalidHeader || e == ParseError::Malformed);
}

TEST(RequestParser, UnknownTransferCodingIs501) {
    auto e = error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n");
    EXPECT_EQ(e, ParseError::UnsupportedTransferCoding);
    EXPECT_EQ(larder::http::status_for(e), 501);
}

TEST(RequestParser, MissingOrRepeatedHostIsRejected) {
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\n\r\n"), ParseError::BadHost);
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), ParseError::BadHost);
}

TEST(RequestParser, HeaderSectionOverLimitIs431EvenBeforeItEnds) {
    ParserLimits limits{.max_header_size = 64, .max_body_size = 1024};
    std::string in = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100, 'a');
    auto e = error_of(in, limits);
    EXPECT_EQ(e, ParseError::HeaderTooLarge);
    EXPECT_EQ(larder::http::status_for(e), 431);
}

TEST(RequestParser, DeclaredBodyOverLimitIs413AtOnce) {
    ParserLimits limits{.max_header_size = 1024, .max_body_size = 10};
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits),
              ParseError::BodyTooLarge);
}

TEST(RequestParser, ChunkedBodyOverLimitIs413) {
    ParserLimits limits{.max_header_size = 1024, .max_body_size = 4};
    EXPECT_EQ(
        error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                 limits),
        ParseError::BodyTooLarge);
}

// llhttp (not in strict mode) skips any two bytes after a chunk's data; a front proxy that
// reads them as data would see another body, so anything but CRLF there is refused, whole or
// split at any byte.
TEST(RequestParser, ChunkDataMustEndWithCrlf) {
    const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const char* bad : {"3\r\nabcXX0\r\n\r\n", "3\r\nabc\rX0\r\n\r\n", "3\r\nabc\n\r0\r\n\r\n",
                            "1\r\na\r\n3\r\nabc\r0\r\n\r\n"}) {
        const std::string in = head + bad;
        EXPECT_EQ(error_of(in), ParseError::InvalidChunk) << bad;
        for (std::size_t split = head.size(); split < in.size(); ++split) {
            RequestParser p({});
            State s = p.parse(in.data(), split);
            if (s != State::Error) s = p.parse(in.data(), in.size());
            EXPECT_EQ(s, State::Error) << bad << " split at " << split;
            EXPECT_EQ(p.error(), ParseError::InvalidChunk) << bad << " split at " << split;
        }
    }
    const std::string good = head + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    for (std::size_t split = head.size(); split < good.size(); ++split) {
        RequestParser p({});
        State s = p.parse(good.data(), split);
        if (s != State::Complete) s = p.parse(good.data(), good.size());
        ASSERT_EQ(s, State::Complete) << "split at " << split;
        EXPECT_EQ(p.request().body.memory(), "abcde");
    }
    EXPECT_EQ(status_for(ParseError::InvalidChunk), 400);
    EXPECT_EQ(to_string(ParseError::InvalidChunk), "invalid_chunk");
}

TEST(RequestParserFields, KnownFieldsAreIndexedInOnePass) {
    RequestParser parser({});
    const std::string raw =
        "GET /a HTTP/1.1\r\nhost: Example.com\r\nX-Other: 1\r\nCOOKIE: a=1\r\nCookie: b=2\r\n"
        "If-None-Match: \"x\"\r\nAccept-Encoding: gzip\r\n\r\n";
    ASSERT_EQ(parser.parse(raw.data(), raw.size()), RequestParser::State::Complete);
    const larder::http::Request& r = parser.request();
    EXPECT_TRUE(r.fields_indexed);
    EXPECT_EQ(r.host(), "Example.com");
    EXPECT_EQ(r.field(larder::http::Field::Cookie), "a=1");  // the first of several
    EXPECT_EQ(r.field(larder::http::Field::IfNoneMatch), "\"x\"");
    EXPECT_EQ(r.field(larder::http::Field::AcceptEncoding), "gzip");
    EXPECT_FALSE(r.has(larder::http::Field::Authorization));
    EXPECT_FALSE(r.has(larder::http::Field::Range));
    EXPECT_FALSE(r.has(larder::http::Field::CacheControl));
}
