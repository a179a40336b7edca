// Any token is a method (RFC 9110 section 9.1): read before llhttp, which knows a fixed list.
#include <gtest/gtest.h>

#include <string>

#include "larder/http/request_parser.hpp"

using larder::http::Method;
using larder::http::ParseError;
using larder::http::RequestParser;
using State = RequestParser::State;

namespace {

State parse_all(RequestParser& p, std::string&& bytes) = delete;
State parse_all(RequestParser& p, const std::string& bytes) {
    return p.parse(bytes.data(), bytes.size());
}

}  // namespace

TEST(RequestParserMethods, UnknownTokenMethodsAreRequestsWithTheirBody) {
    for (std::string method : {"BAN", "PURGE", "MKCALENDAR", "X-MY.METHOD~1", "get", "Get",
                               "PROPFIND", "M-SEARCH", "QUERY", "!#$%&'*+-.^_`|~"}) {
        RequestParser p({});
        std::string in =
            "\r\n" + method + " /a?b=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody";
        ASSERT_EQ(parse_all(p, in), State::Complete) << method;
        const auto& r = p.request();
        EXPECT_EQ(r.method, Method::Other) << method;
        EXPECT_EQ(r.method_text, method);
        EXPECT_EQ(r.target, "/a?b=1");
        EXPECT_EQ(r.body.memory(), "body");
        EXPECT_EQ(p.consumed(), in.size());
    }
}

TEST(RequestParserMethods, KnownMethodsKeepTheirMeaning) {
    RequestParser p({});
    std::string in = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().method, Method::Options);
    // The asterisk form stays OPTIONS-only, whatever the method's spelling.
    RequestParser ban({});
    std::string star = "BAN * HTTP/1.1\r\nHost: h\r\n\r\n";
    EXPECT_EQ(parse_all(ban, star), State::Error);
    EXPECT_EQ(ban.error(), ParseError::InvalidTarget);
}

TEST(RequestParserMethods, ByteByByteGivesTheSameRequest) {
    std::string in = "BAN /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    RequestParser p({});
    State s = State::Idle;
    for (std::size_t n = 1; n <= in.size(); ++n) {
        s = p.parse(in.data(), n);
        if (n < 4) {
            EXPECT_EQ(s, State::InHeaders) << n;  // "B", "BA", "BAN"
        }
    }
    ASSERT_EQ(s, State::Complete);
    EXPECT_EQ(p.request().method_text, "BAN");
    EXPECT_EQ(p.request().body.memory(), "abc");
}

TEST(RequestParserMethods, PipelinedUnknownMethods) {
    std::string in =
        "BAN /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nPURGE /3 "
        "HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p({});
    std::vector<std::string> seen;
    while (p.parse(in.data(), in.size()) == State::Complete) {
        seen.push_back(std::string(p.request().method_text) + " " +
                       std::string(p.request().target));
        p.start_next(p.consumed());
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"BAN /1", "GET /2", "PURGE /3"}));
}

TEST(RequestParserMethods, ExtraSpacesAreReadAsForKnownMethods) {
    // llhttp skips spaces before the target; a stand-in method changes nothing about that.
    for (std::string method : {"GET", "BAN"}) {
        RequestParser p({});
        std::string in = method + "  /x HTTP/1.1\r\nHost: h\r\n\r\n";
        ASSERT_EQ(parse_all(p, in), State::Complete) << method;
        EXPECT_EQ(p.request().target, "/x");
        EXPECT_EQ(p.request().method_text, method);
    }
}

TEST(RequestParserMethods, WhatIsNoTokenIsStillRefused) {
    for (const char* bad :
         {"B@N / HTTP/1.1\r\nHost: h\r\n\r\n", "BAN\t/ HTTP/1.1\r\nHost: h\r\n\r\n",
          " BAN / HTTP/1.1\r\nHost: h\r\n\r\n", "BAN / HTTP/1.1\r\n\r\n", "BAN /\r\n\r\n"}) {
        RequestParser p({});
        std::string in = bad;
        EXPECT_EQ(parse_all(p, in), State::Error) << bad;
    }
}

TEST(RequestParserMethods, AMethodThatNeverEndsHitsTheHeaderLimit) {
    RequestParser p({.max_header_size = 64});
    std::string in(100, 'B');
    EXPECT_EQ(parse_all(p, in), State::Error);
    EXPECT_EQ(p.error(), ParseError::HeaderTooLarge);
    RequestParser q({.max_header_size = 64});
    std::string ok(60, 'B');
    EXPECT_EQ(parse_all(q, ok), State::InHeaders);
    // The same answer whether the reads end before the limit or after the method's end (found
    // by the request_parser fuzz target: empty lines, a long token, then a CR).
    std::string split_in = std::string(40, '\n') + std::string(40, 'v') + "\r\n";
    for (std::size_t first : {split_in.size(), std::size_t{50}, std::size_t{70}}) {
        RequestParser r({.max_header_size = 64});
        r.parse(split_in.data(), first);
        EXPECT_EQ(r.parse(split_in.data(), split_in.size()), State::Error) << first;
        EXPECT_EQ(r.error(), ParseError::HeaderTooLarge) << first;
    }
}
