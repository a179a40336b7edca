// RFC 9111 section 4.4: which keys an unsafe request invalidates.
#include "larder/cache/invalidation.hpp"

#include <gtest/gtest.h>

#include "http_test_util.hpp"

namespace larder::cache {
namespace {

using testing::Headers;
using Keys = std::vector<std::string>;

struct InvalidationTest : ::testing::Test {
    Headers h;
    InvalidationInput in{.method = http::Method::Post,
                         .status = 201,
                         .scheme = "http",
                         .host = "Example.COM:80",
                         .path = "/a/b/c",
                         .query = "x=1"};
    Keys keys(const AppendQuery& q = {}) {
        in.response_headers = &h.list();
        return invalidation_keys(in, q);
    }
};

TEST_F(InvalidationTest, RequestUriInDefaultKeyFormat) {
    EXPECT_EQ(keys(), (Keys{"http://example.com/a/b/c?x=1"}));
}

TEST_F(InvalidationTest, UnsafeMethodsOnly) {
    for (auto m : {http::Method::Post, http::Method::Put, http::Method::Delete, http::Method::Patch,
                   http::Method::Other}) {
        in.method = m;
        EXPECT_EQ(keys().size(), 1u);
    }
    for (auto m :
         {http::Method::Get, http::Method::Head, http::Method::Options, http::Method::Trace}) {
        in.method = m;
        EXPECT_TRUE(keys().empty());
    }
}

TEST_F(InvalidationTest, ErrorsInvalidateNothing) {
    for (int s : {200, 204, 302, 399}) {
        in.status = s;
        EXPECT_EQ(keys().size(), 1u) << s;
    }
    for (int s : {100, 400, 404, 500, 503}) {
        in.status = s;
        EXPECT_TRUE(keys().empty()) << s;
    }
}

TEST_F(InvalidationTest, LocationAndContentLocationSameHost) {
    h.add("Location", "/items/7").add("Content-Location", "http://example.com:80/items/7?v=2");
    EXPECT_EQ(keys(), (Keys{"http://example.com/a/b/c?x=1", "http://example.com/items/7",
                            "http://example.com/items/7?v=2"}));
}

TEST_F(InvalidationTest, OtherHostsIgnored) {
    h.add("Location", "http://evil.example/a").add("Content-Location", "//other.example/x");
    EXPECT_EQ(keys().size(), 1u);
    Headers same;
    same.add("Location", "//EXAMPLE.com/y");
    in.response_headers = &same.list();
    EXPECT_EQ(invalidation_keys(in).back(), "http://example.com/y");
}

TEST_F(InvalidationTest, RelativeReferencesResolved) {
    h.add("Location", "d").add("Content-Location", "../e?q#frag");
    EXPECT_EQ(keys(), (Keys{"http://example.com/a/b/c?x=1", "http://example.com/a/b/d",
                            "http://example.com/a/e?q"}));
}

TEST_F(InvalidationTest, DotSegmentsAndQueryOnly) {
    h.add("Location", "/x/./y/../z").add("Content-Location", "?only=query");
    EXPECT_EQ(keys(), (Keys{"http://example.com/a/b/c?x=1", "http://example.com/x/z",
                            "http://example.com/a/b/c?only=query"}));
}

TEST_F(InvalidationTest, DuplicatesRemoved) {
    h.add("Location", "/a/b/c?x=1").add("Content-Location", "c?x=1");
    EXPECT_EQ(keys().size(), 1u);
}

TEST_F(InvalidationTest, NonHttpSchemesIgnored) {
    h.add("Location", "ftp://example.com/a").add("Content-Location", "mailto:x@example.com");
    EXPECT_EQ(keys().size(), 1u);
}

TEST_F(InvalidationTest, QueryNormaliserApplied) {
    in.query = "b=2&a=1";
    auto sorted = [](std::string& out, std::string_view q) {
        if (q == "b=2&a=1")
            out.append("a=1&b=2");
        else
            out.append(q);
    };
    EXPECT_EQ(keys(sorted).front(), "http://example.com/a/b/c?a=1&b=2");
}

TEST_F(InvalidationTest, DefaultKeyDropsDefaultPortsAndEmptyQuery) {
    EXPECT_EQ(default_key("http", "H:80", "/p", ""), "http://h/p");
    EXPECT_EQ(default_key("https", "H:443", "/p", ""), "https://h/p");
    EXPECT_EQ(default_key("http", "h:8080", "/p", "a"), "http://h:8080/p?a");
    EXPECT_EQ(default_key("http", "[::1]:80", "/", ""), "http://[::1]/");
}

}  // namespace
}  // namespace larder::cache
