// Hostile requests (issue "Hardening"): trailer fields, Host and request-target syntax, versions,
// framing in HTTP/1.0, chunk sizes over the limit, '_' spellings of framing fields, Upgrade.
// Inputs are fed the way server::Session feeds them: each read lands after the bytes kept so
// far, body bytes are cut back to header_end() after every parse, and the buffer grows (moves)
// when less than 4 KiB is free, as Session::read_more() does.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "larder/http/request_parser.hpp"

using larder::http::Method;
using larder::http::ParseError;
using larder::http::ParserLimits;
using larder::http::RequestParser;
using larder::http::status_for;
using larder::http::valid_host;
using State = RequestParser::State;

namespace {

// server::Session's buffer handling, in miniature (same sizes: 8 KiB initial, 4 KiB min space).
class SessionFeed {
  public:
    explicit SessionFeed(ParserLimits limits = {}) : parser(limits), buffer_(8 * 1024) {}

    // One read of `bytes`. With `force_move`, the buffer moves first even if it has room.
    State read(std::string_view bytes, bool force_move = false) {
        if (force_move || buffer_.size() - size_ < 4 * 1024) {
            // A new allocation holding every old byte (as vector::resize copies them), and the
            // old one scribbled over, so a view left pointing at it shows.
            std::vector<char> grown(std::max(buffer_.size() * 2, size_ + 16 * 1024), '\0');
            std::memcpy(grown.data(), buffer_.data(), buffer_.size());
            std::memset(buffer_.data(), '#', buffer_.size());
            buffer_.swap(grown);
            ++moves;
        }
        std::memcpy(buffer_.data() + size_, bytes.data(), bytes.size());
        size_ += bytes.size();
        State s = parser.parse(buffer_.data(), size_);
        if (s == State::InBody && parser.header_end() != 0 && parser.header_end() <= size_) {
            size_ = parser.header_end();
            parser.discard_body_bytes();
        }
        return s;
    }

    RequestParser parser;
    int moves = 0;

  private:
    std::vector<char> buffer_;
    std::size_t size_ = 0;
};

State parse_all(RequestParser& p, std::string&& bytes) = delete;
State parse_all(RequestParser& p, const std::string& bytes) {
    return p.parse(bytes.data(), bytes.size());
}

ParseError error_of(const std::string& bytes, ParserLimits limits = {}) {
    RequestParser p(limits);
    EXPECT_EQ(parse_all(p, bytes), State::Error) << bytes;
    return p.error();
}

const std::string kChunkedHead =
    "GET /about?pad=1 HTTP/1.1\r\nHost: example.com\r\nX-Pad: " + std::string(4100, 'p') +
    "\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

// --- 1. trailer fields ------------------------------------------------------------------------

TEST(RequestParserTrailers, TrailerFieldsNeverBecomeHeaderFieldsWhenTheBufferGrows) {
    SessionFeed feed;
    ASSERT_EQ(feed.read(kChunkedHead + "1\r\nx\r\n0\r\nHost: evil.example\r\nX-Injected: yes\r\n"),
              State::InBody);
    ASSERT_EQ(feed.read("\r\n"), State::Complete);
    EXPECT_EQ(feed.moves, 1);  // the scenario of the report: the buffer moved in the trailers
    const auto& r = feed.parser.request();
    EXPECT_EQ(r.headers.count("host"), 1u);
    EXPECT_EQ(r.host(), "example.com");
    EXPECT_FALSE(r.header("x-injected").has_value());
    EXPECT_EQ(r.headers.size(), 3u);  // Host, X-Pad, Transfer-Encoding
    EXPECT_EQ(r.body.memory(), "x");
    EXPECT_TRUE(r.keep_alive);
}

TEST(RequestParserTrailers, TrailerFieldsAreDroppedWhenAllArriveAtOnce) {
    RequestParser p({});
    const std::string in =
        "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\nab\r\n0\r\nHost: evil\r\nContent-Length: 99\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().headers.size(), 2u);
    EXPECT_EQ(p.request().headers.count("host"), 1u);
    EXPECT_FALSE(p.request().header("content-length").has_value());
    EXPECT_EQ(p.request().body.memory(), "ab");
}

TEST(RequestParserTrailers, ATrailerSplitAcrossReadsParses) {
    for (bool move : {false, true}) {
        SessionFeed feed;
        ASSERT_EQ(feed.read("POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n0\r\nX-Tr"),
                  State::InBody);
        ASSERT_EQ(feed.read("ailer: 1\r\n\r\n", move), State::Complete) << "move=" << move;
        EXPECT_EQ(feed.parser.request().body.memory(), "abc");
        EXPECT_FALSE(feed.parser.request().header("x-trailer").has_value());
        EXPECT_EQ(feed.parser.request().path, "/s");
        EXPECT_EQ(feed.parser.request().host(), "h");
    }
}

TEST(RequestParserTrailers, ATrailerSectionOverTheHeaderLimitIs431) {
    SessionFeed feed({.max_header_size = 256, .max_body_size = 1024});
    ASSERT_EQ(feed.read("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"),
              State::InBody);
    State s = State::InBody;
    for (int i = 0; i < 20 && s == State::InBody; ++i) s = feed.read("X-T: 0123456789abcdef\r\n");
    ASSERT_EQ(s, State::Error);
    EXPECT_EQ(feed.parser.error(), ParseError::HeaderTooLarge);
}

// --- 2. Host and request-target ---------------------------------------------------------------

TEST(ValidHost, AcceptsUriHostAndPort) {
    for (const char* ok : {"", "example.com", "Example.COM:8080", "127.0.0.1", "[::1]", "[::1]:80",
                           "[v1.fe:x]", "a_b-c~d.e", "xn--bcher-kva.example", "a%2Fb", "h:"})
        EXPECT_TRUE(valid_host(ok)) << ok;
}

TEST(ValidHost, RejectsPathsQueriesUserinfoSpacesControlsAndBadPorts) {
    for (const char* bad : {"example.com/project",
                            "example.com/",
                            "a?b",
                            "a#b",
                            "user@a",
                            "a b",
                            "a\tb",
                            "a\x01",
                            "a\x7f",
                            ":80",
                            "a:8o",
                            "a:80:90",
                            "a:80/",
                            "[::1",
                            "[]",
                            "[::1]x",
                            "[::1]:8o",
                            "a%2",
                            "a%zz",
                            "\xc3\xa9.example",
                            "a\\b"})
        EXPECT_FALSE(valid_host(bad)) << bad;
}

TEST(RequestParserHost, AHostWithAPathIs400) {
    const std::string in = "GET /about HTTP/1.1\r\nHost: example.com/project\r\n\r\n";
    auto e = error_of(in);
    EXPECT_EQ(e, ParseError::InvalidHost);
    EXPECT_EQ(status_for(e), 400);
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), ParseError::InvalidHost);
    EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"), ParseError::InvalidHost);
    EXPECT_EQ(error_of("GET / HTTP/1.0\r\nHost: a?x=1\r\n\r\n"), ParseError::InvalidHost);
}

TEST(RequestParserTarget, TabFormFeedFragmentAndControlsAre400) {
    for (const char* target : {"/a\tb", "/a\fb", "/a#b", "/#"}) {
        auto e = error_of(std::string("GET ") + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
        EXPECT_EQ(e, ParseError::InvalidTarget) << target;
    }
    // Bytes llhttp refuses itself (space ends the target; controls): 400 all the same.
    for (const char* target : {"/a b", "/a\x01z", "/a\x7fz"})
        EXPECT_EQ(
            status_for(error_of(std::string("GET ") + target + " HTTP/1.1\r\nHost: h\r\n\r\n")),
            400)
            << target;
}

TEST(RequestParserTarget, AsteriskFormIsForOptionsOnly) {
    EXPECT_EQ(error_of("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), ParseError::InvalidTarget);
    EXPECT_EQ(error_of("POST * HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
              ParseError::InvalidTarget);
    RequestParser p({});
    const std::string in = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().method, Method::Options);
    EXPECT_EQ(p.request().path, "*");
}

TEST(RequestParserTarget, AbsoluteFormNeedsHttpAHostAndNoUserinfo) {
    for (const char* target :
         {"http://user@h/x", "http://user:pw@h/x", "http://@h/x", "http:///x", "http://h/pa/th@",
          "ftp://h/x", "http:/h/x", "http://h:8o/x", "http://a b/"}) {
        RequestParser p({});
        const std::string in = std::string("GET ") + target + " HTTP/1.1\r\nHost: h\r\n\r\n";
        if (std::string_view(target) == "http://h/pa/th@") {  // '@' in the path is a pchar
            EXPECT_EQ(parse_all(p, in), State::Complete) << target;
            EXPECT_EQ(p.request().path, "/pa/th@");
            continue;
        }
        EXPECT_EQ(parse_all(p, in), State::Error) << target;
        EXPECT_EQ(status_for(p.error()), 400) << target;
    }
}

TEST(RequestParserTarget, AbsoluteFormWithoutAPathIsTheRoot) {
    RequestParser p({});
    const std::string in = "GET http://h:8080?q=1 HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().path, "/");
    EXPECT_EQ(p.request().query, "q=1");
    RequestParser q({});
    const std::string bare = "GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(q, bare), State::Complete);
    EXPECT_EQ(q.request().path, "/");
    EXPECT_EQ(q.request().query, "");
}

TEST(RequestParserTarget, OriginFormMayHoldAtAndRawUtf8) {
    RequestParser p({});
    const std::string in = "GET /u/@me/caf\xc3\xa9?to=a@b HTTP/1.1\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().path, "/u/@me/caf\xc3\xa9");
    EXPECT_EQ(p.request().query, "to=a@b");
}

TEST(RequestParserTarget, ConnectTakesAuthorityFormAndNeverKeepsTheConnection) {
    RequestParser p({});
    const std::string in =
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().method, Method::Connect);
    EXPECT_FALSE(p.request().keep_alive);
    EXPECT_EQ(error_of("CONNECT /x HTTP/1.1\r\nHost: h\r\n\r\n"), ParseError::InvalidTarget);
}

// --- 4. versions, HTTP/1.0 framing, chunk sizes, '_' framing names ------------------------------

TEST(RequestParserVersion, Http2AndOtherMajorsAre505) {
    for (const char* line :
         {"GET / HTTP/2.0", "GET / HTTP/3.0", "GET / HTTP/0.9", "GET / HTTP/9.9"}) {
        auto e = error_of(std::string(line) + "\r\nHost: h\r\n\r\n");
        EXPECT_EQ(e, ParseError::UnsupportedVersion) << line;
        EXPECT_EQ(status_for(e), 505);
    }
    EXPECT_EQ(error_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), ParseError::UnsupportedVersion);
}

TEST(RequestParserVersion, AnHttp09RequestLineIs400) {
    EXPECT_EQ(error_of("GET /\r\n\r\n"), ParseError::Malformed);
    // Refused at the first field line, without waiting for the end of the header section.
    RequestParser p({});
    const std::string in = "GET /\r\nHost: h\r\n";
    EXPECT_EQ(parse_all(p, in), State::Error);
    EXPECT_EQ(p.error(), ParseError::Malformed);
}

TEST(RequestParserVersion, Http12IsHttp11) {
    RequestParser p({});
    const std::string in = "GET /v HTTP/1.2\r\nHost: h\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().version_major, 1u);
    EXPECT_EQ(p.request().version_minor, 1u);
    EXPECT_TRUE(p.request().keep_alive);
    EXPECT_EQ(error_of("GET /v HTTP/1.2\r\n\r\n"), ParseError::BadHost);  // 1.1 rules: Host
}

TEST(RequestParserFraming, ChunkedHttp10ClosesAfterTheRequest) {
    RequestParser p({});
    const std::string in =
        "POST /c HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.0\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().body.memory(), "abc");
    EXPECT_FALSE(p.request().keep_alive);
    // Control: a keep-alive HTTP/1.0 request framed by Content-Length stays keep-alive.
    RequestParser q({});
    const std::string cl =
        "POST /c HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc";
    ASSERT_EQ(parse_all(q, cl), State::Complete);
    EXPECT_TRUE(q.request().keep_alive);
}

TEST(RequestParserFraming, AChunkSizeOverTheLimitIs413BeforeItsBytes) {
    ParserLimits limits{.max_header_size = 1024, .max_body_size = 10};
    EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffff\r\n",
                       limits),
              ParseError::BodyTooLarge);
    // Cumulative: 5 bytes received, then a chunk of 6 announced.
    EXPECT_EQ(
        error_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                 "6\r\n",
                 limits),
        ParseError::BodyTooLarge);
    // Exactly the limit is fine.
    RequestParser p(limits);
    const std::string in =
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\n"
        "world\r\n0\r\n\r\n";
    ASSERT_EQ(parse_all(p, in), State::Complete);
    EXPECT_EQ(p.request().body.memory(), "helloworld");
}

TEST(RequestParserFraming, UnderscoreSpellingsOfFramingFieldsAre400) {
    for (const char* field : {"Transfer_Encoding: chunked", "transfer_encoding: gzip",
                              "Content_Length: 5", "CONTENT_LENGTH: 0", "Transfer-Encoding_: x"}) {
        RequestParser p({});
        const std::string in = std::string("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n") +
                               field + "\r\n\r\nhello";
        if (std::string_view(field) == "Transfer-Encoding_: x") {  // not a framing name
            EXPECT_EQ(parse_all(p, in), State::Complete);
            continue;
        }
        EXPECT_EQ(parse_all(p, in), State::Error) << field;
        EXPECT_EQ(p.error(), ParseError::InvalidHeader) << field;
    }
}

// --- 5. Upgrade ---------------------------------------------------------------------------------

TEST(RequestParserUpgrade, TheRequestAfterAnUpgradeRequestIsParsed) {
    const std::string in =
        "GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        "GET /second HTTP/1.1\r\nHost: h\r\n\r\n"
        "POST /b HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: h2c\r\n"
        "Content-Length: 3\r\n\r\nabcGET /third HTTP/1.1\r\nHost: h\r\n\r\n";
    RequestParser p({});
    std::vector<std::string> targets;
    std::vector<bool> keep;
    while (p.parse(in.data(), in.size()) == State::Complete) {
        targets.emplace_back(p.request().target);
        keep.push_back(p.request().keep_alive);
        p.start_next(p.consumed());
    }
    EXPECT_EQ(targets, (std::vector<std::string>{"/a", "/second", "/b", "/third"}));
    EXPECT_EQ(keep, (std::vector<bool>{true, true, true, true}));
    EXPECT_EQ(p.state(), State::Idle);
    EXPECT_EQ(p.consumed(), in.size());
}
