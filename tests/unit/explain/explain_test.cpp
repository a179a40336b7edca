// explain: the probe request, the JSON answer (rules, decision, visitor, key, cookies,
// freshness), the stored state from a real Store, and the text rendering.
#include "larder/explain/explain.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "larder/cache/object.hpp"
#include "larder/explain/text.hpp"

using namespace larder;
using namespace larder::explain;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

config::Config site() {
    config::Config c;
    c.identity.cookies = {"sessionid"};
    config::RuleConfig statics;
    statics.name = "static";
    statics.line = 10;
    statics.path_prefixes = {"/static/"};
    statics.ttl = 1h;
    statics.ignore_cookies = true;
    c.rules.push_back(statics);
    config::RuleConfig pages;
    pages.name = "pages";
    pages.line = 20;
    pages.paths = {"/blog/*"};
    pages.ttl = 5min;
    pages.grace = 30s;
    pages.vary_cookies = {"lang"};
    c.rules.push_back(pages);
    config::RuleConfig last;
    last.name = "everything else";
    last.line = 30;
    last.pass = true;
    c.rules.push_back(last);
    return c;
}

Probe probe(std::string url, std::vector<std::string> cookies = {},
            std::vector<std::string> headers = {}, std::string method = "GET") {
    Probe p;
    p.method = std::move(method);
    p.url = std::move(url);
    p.cookies = std::move(cookies);
    p.headers = std::move(headers);
    return p;
}

json::object explain_probe(const Probe& p, const config::Config& c, const rules::RuleSet& rs,
                           std::string* key = nullptr) {
    return larder::explain::explain(p, c, rs, key);
}

std::string s(const json::value& v) {
    return std::string(v.as_string());
}

}  // namespace

TEST(Probe, BuildsTheRequestTheDaemonWouldParse) {
    Probe p{.method = "HEAD",
            .url = "http://Example.com:8080/a/b?x=1#frag",
            .cookies = {"a=1", "b=2"},
            .headers = {"Accept: text/html"}};
    ProbeRequest r(p);
    EXPECT_EQ(r.get().method_text, "HEAD");
    EXPECT_EQ(r.get().host(), "Example.com:8080");
    EXPECT_EQ(r.get().path, "/a/b");
    EXPECT_EQ(r.get().query, "x=1");
    EXPECT_EQ(r.get().header("cookie"), "a=1; b=2");
    EXPECT_EQ(r.get().header("accept"), "text/html");
    EXPECT_EQ(ProbeRequest(probe("https://example.com")).get().target, "/");
}

TEST(Probe, RefusesWhatCannotBeARequest) {
    EXPECT_THROW(ProbeRequest(probe("example.com/x")), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://user@example.com/")), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http:///x")), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://a b/")), ProbeError);  // the parser's 400
    EXPECT_THROW(ProbeRequest(probe("http://x/", {}, {"NoColon"})), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://x/", {}, {"A: b\r\nC: d"})), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://x/", {}, {"Host: y"})), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://x/", {"novalue"})), ProbeError);
    EXPECT_THROW(ProbeRequest(probe("http://x/", {}, {}, "G T")), ProbeError);
}

TEST(Probe, QueryStringRoundTrip) {
    Probe p{.method = "GET",
            .url = "http://example.com/a?b=c&d",
            .cookies = {"lang=fr", "x=a b"},
            .headers = {"Accept-Language: fr"}};
    Probe back = probe_from_query_string(to_query_string(p));
    EXPECT_EQ(back.url, p.url);
    EXPECT_EQ(back.method, p.method);
    EXPECT_EQ(back.cookies, p.cookies);
    EXPECT_EQ(back.headers, p.headers);
    EXPECT_THROW(probe_from_query_string("method=GET"), ProbeError);
    EXPECT_THROW(probe_from_query_string("url=http://x/&bogus=1"), ProbeError);
    EXPECT_THROW(probe_from_query_string("url=%zz"), ProbeError);
}

TEST(Explain, CacheCandidate) {
    config::Config c = site();
    rules::RuleSet rs(c);
    json::object a = explain_probe(probe("http://example.com/blog/post?x=1", {"lang=fr"}), c, rs);
    const json::array& rules = a["rules"].as_array();
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(s(rules[0].at("verdict")), "skipped");
    EXPECT_EQ(s(rules[0].at("why_not")), "path_prefixes");
    EXPECT_EQ(s(rules[0].at("detail")),
              "path \"/blog/post\" starts with none of path_prefix [\"/static/\"]");
    EXPECT_EQ(rules[0].at("line").as_int64(), 10);
    EXPECT_EQ(s(rules[1].at("verdict")), "matched");
    EXPECT_EQ(s(rules[2].at("verdict")), "not_reached");
    EXPECT_EQ(s(a["decision"].at("action")), "cache");
    EXPECT_EQ(s(a["decision"].at("reason")), "rule_cache");
    EXPECT_EQ(s(a["decision"].at("rule")), "pages");
    EXPECT_EQ(s(a["visitor"].at("kind")), "anonymous");
    EXPECT_EQ(s(a["key"]), "http://example.com/blog/post?x=1\x1flang=fr");
    const json::array& cookies = a["forwarded_cookies"].as_array();
    ASSERT_EQ(cookies.size(), 1u);
    EXPECT_EQ(s(cookies[0].at("name")), "lang");
    EXPECT_EQ(s(cookies[0].at("value")), "fr");
    EXPECT_EQ(a["freshness"].at("ttl_ms").as_int64(), 300000);
    EXPECT_EQ(a["freshness"].at("grace_ms").as_int64(), 30000);
    EXPECT_FALSE(a["freshness"].at("follows_origin").as_bool());

    std::string text = render_text(a);
    EXPECT_NE(text.find("Decision:          CACHE (rule_cache)"), std::string::npos) << text;
    EXPECT_NE(text.find("1 \"static\" (line 10): skipped, path_prefixes"), std::string::npos)
        << text;
    EXPECT_NE(text.find("Freshness:         ttl 5m, grace 30s"), std::string::npos) << text;
    EXPECT_NE(text.find("Forwarded cookies: lang=fr"), std::string::npos) << text;
    EXPECT_NE(text.find("Cache key:         http://example.com/blog/post?x=1\\x1flang=fr\n"),
              std::string::npos)
        << text;
}

TEST(Explain, LoggedInVisitorPasses) {
    config::Config c = site();
    rules::RuleSet rs(c);
    std::string key = "unchanged";
    json::object a =
        explain_probe(probe("http://example.com/blog/x", {"sessionid=1"}), c, rs, &key);
    EXPECT_TRUE(key.empty());
    EXPECT_EQ(s(a["decision"].at("action")), "pass");
    EXPECT_EQ(s(a["visitor"].at("kind")), "logged_in");
    EXPECT_EQ(s(a["visitor"].at("summary")), "login_cookie:sessionid");
    // "pages" is for anonymous visitors under [identity]: the visitor matcher says no.
    EXPECT_EQ(s(a["rules"].as_array()[1].at("why_not")), "visitor");
    EXPECT_NE(s(a["rules"].as_array()[1].at("detail")).find("this visitor is logged_in"),
              std::string::npos);
    EXPECT_TRUE(a["key"].is_null());
    EXPECT_TRUE(a["freshness"].is_null());
    EXPECT_NE(render_text(a).find("Decision:          PASS (rule_pass)"), std::string::npos)
        << render_text(a);
}

TEST(Explain, HttpDefaultFollowsTheOrigin) {
    config::Config c;
    c.cache.default_policy = "http";
    rules::RuleSet rs(c);
    json::object a = explain_probe(probe("http://example.com/"), c, rs);
    EXPECT_EQ(s(a["decision"].at("reason")), "http_default");
    EXPECT_TRUE(a["freshness"].at("follows_origin").as_bool());
    EXPECT_NE(render_text(a).find("follows the origin's Cache-Control"), std::string::npos);
}

TEST(Explain, NonAsciiBytesStayValidJson) {
    config::Config c = site();
    rules::RuleSet rs(c);
    json::object a = explain_probe(probe("http://example.com/blog/x", {"lang=caf\xe9"}), c, rs);
    std::string out = json::serialize(a);
    EXPECT_NE(out.find("caf\xc3\xa9"), std::string::npos);  // Latin-1 e-acute as UTF-8
}

TEST(Explain, StoredStateFromTheStore) {
    config::Config c = site();
    rules::RuleSet rs(c);
    cache::Store store({});
    const obs::TimePoint now = obs::TimePoint(std::chrono::seconds(1'000'000));
    cache::ObjectDraft object;
    object.key = "http://example.com/blog/x\x1flang=";
    object.status = 200;
    object.head = "HTTP/1.1 200 OK\r\n";
    object.body = std::string(1000, 'x');
    object.stored_at = now - 10s;
    object.expires_at = now + 290s;
    object.grace_until = now + 320s;
    object.rule_name = "pages";
    object.tags = "blog post-1";
    ASSERT_TRUE(store.insert(cache::Object::make(object)));

    json::value answer =
        explain_route("url=http%3A%2F%2Fexample.com%2Fblog%2Fx", c, rs, store, now);
    const json::object& stored = answer.at("stored").as_object();
    ASSERT_EQ(stored.at("variants").as_array().size(), 1u);
    const json::object& v = stored.at("variants").as_array()[0].as_object();
    EXPECT_EQ(s(v.at("state")), "fresh");
    EXPECT_EQ(v.at("age_ms").as_int64(), 10000);
    EXPECT_EQ(v.at("body_bytes").as_uint64(), 1000u);
    EXPECT_EQ(s(v.at("rule")), "pages");
    EXPECT_EQ(s(v.at("tags")), "blog post-1");
    EXPECT_NE(render_text(answer.as_object()).find("fresh, status 200, age 10s, 1000 body bytes"),
              std::string::npos)
        << render_text(answer.as_object());

    json::value later = explain_route("url=http://example.com/blog/x", c, rs, store, now + 300s);
    EXPECT_EQ(s(later.at("stored").at("variants").as_array()[0].at("state")), "stale");

    json::value other = explain_route("url=http://example.com/blog/none", c, rs, store, now);
    EXPECT_TRUE(other.at("stored").is_null());
    EXPECT_NE(render_text(other.as_object()).find("Stored:            nothing under this key"),
              std::string::npos);

    json::value bad = explain_route("nourl=1", c, rs, store, now);
    EXPECT_TRUE(bad.as_object().contains("error"));
}
