#include "larder/rules/key_template.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "larder/rules/host.hpp"
#include "test_request.hpp"

using namespace larder::rules;
using larder::rules::testing::TestRequest;

namespace {

std::string expand(std::string_view tmpl, const TestRequest& r, std::string_view scheme = "http",
                   QueryPolicy policy = {}) {
    KeyTemplate t(tmpl);
    std::string out;
    t.expand(out, r, scheme, policy);
    return out;
}

}  // namespace

TEST(Host, WithoutPort) {
    EXPECT_EQ(host_without_port("example.com:8080"), "example.com");
    EXPECT_EQ(host_without_port("example.com"), "example.com");
    EXPECT_EQ(host_without_port("[::1]:8080"), "[::1]");
    EXPECT_EQ(host_without_port("[::1]"), "[::1]");
    EXPECT_EQ(host_without_port(""), "");
}

TEST(Host, KeyFormLowerCaseWithoutDefaultPort) {
    std::string out;
    append_key_host(out, "Example.COM:80", "http");
    EXPECT_EQ(out, "example.com");
    out.clear();
    append_key_host(out, "Example.COM:443", "http");
    EXPECT_EQ(out, "example.com:443");
    out.clear();
    append_key_host(out, "example.com:443", "https");
    EXPECT_EQ(out, "example.com");
    out.clear();
    append_key_host(out, "[::1]:80", "http");
    EXPECT_EQ(out, "[::1]");
}

TEST(KeyTemplate, DefaultKey) {
    TestRequest r("/a/B?x=1&y=2");
    r.host("WWW.Example.com:80");
    EXPECT_EQ(expand(KeyTemplate::kDefault, r), "http://www.example.com/a/B?x=1&y=2");
    EXPECT_EQ(expand(KeyTemplate::kDefault, r, "https"), "https://www.example.com:80/a/B?x=1&y=2");
}

TEST(KeyTemplate, QueryIsEmptyWhenNothingIsKept) {
    TestRequest plain("/p");
    plain.host("h");
    EXPECT_EQ(expand(KeyTemplate::kDefault, plain), "http://h/p");
    TestRequest bare("/p?");
    bare.host("h");
    EXPECT_EQ(expand(KeyTemplate::kDefault, bare), "http://h/p");
    TestRequest tracked("/p?utm_source=news&fbclid=1");
    tracked.host("h");
    QueryPolicy drop;
    drop.drop.emplace_back("utm_*");
    drop.drop.emplace_back("fbclid");
    EXPECT_EQ(expand(KeyTemplate::kDefault, tracked, "http", drop), "http://h/p");
}

TEST(KeyTemplate, QueryIsNormalised) {
    TestRequest r("/p?b=2&utm_medium=x&a=1");
    r.host("h");
    QueryPolicy p;
    p.sort = true;
    p.drop.emplace_back("utm_*");
    EXPECT_EQ(expand(KeyTemplate::kDefault, r, "http", p), "http://h/p?a=1&b=2");
}

TEST(KeyTemplate, MethodCookieHeaderAndLiterals) {
    TestRequest r("/x?q=1", "HEAD");
    r.host("h").cookie("lang=fr; theme=dark").header("Accept-Language", "de");
    EXPECT_EQ(expand("${method} ${path}|${cookie:lang}|${cookie:none}|${header:accept-language}|"
                     "${header:X-None}",
                     r),
              "HEAD /x|fr||de|");
    EXPECT_EQ(expand("$${host}=${host} cost $5", r), "$h=h cost $5");
    EXPECT_EQ(expand("", r), "");
    EXPECT_EQ(expand("trailing$", r), "trailing$");
}

TEST(KeyTemplate, RejectsUnknownAndUnterminatedVariables) {
    EXPECT_THROW(KeyTemplate("${nope}"), std::invalid_argument);
    EXPECT_THROW(KeyTemplate("${host"), std::invalid_argument);
    EXPECT_THROW(KeyTemplate("${cookie:}"), std::invalid_argument);
    EXPECT_THROW(KeyTemplate("${header:}"), std::invalid_argument);
    EXPECT_NO_THROW(KeyTemplate("${cookie:a}${header:b}${method}${scheme}"));
}

TEST(KeyTemplate, SizeHintCoversTheDefaultKey) {
    TestRequest r("/a/long/path?with=query&and=more");
    r.host("example.org");
    KeyTemplate t;
    std::string out;
    t.expand(out, r, "https", {});
    EXPECT_GE(t.size_hint(r), out.size());
}
