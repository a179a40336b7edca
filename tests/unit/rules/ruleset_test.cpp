#include "larder/rules/ruleset.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "flask_cookies.hpp"
#include "test_request.hpp"

using namespace larder;
using namespace larder::rules;
using namespace larder::rules::testing;
using namespace std::chrono_literals;
using Kind = config::Condition::Kind;

namespace {

config::RuleConfig cache_rule(std::string name, std::chrono::milliseconds ttl = 60s) {
    config::RuleConfig r;
    r.name = std::move(name);
    r.ttl = ttl;
    return r;
}

config::RuleConfig pass_rule(std::string name) {
    config::RuleConfig r;
    r.name = std::move(name);
    r.pass = true;
    return r;
}

// The seed case from the architecture brief.
config::Config seed_config() {
    config::Config c;
    c.identity.cookies = {"remember_token", "sessionid"};
    c.identity.flask_session = config::FlaskSessionConfig{};
    auto anon = cache_rule("anonymous pages");
    anon.paths = {"/", "/about", "/project/*"};
    anon.visitor = config::Visitor::Anonymous;
    anon.strip_set_cookie = true;
    c.rules.push_back(anon);
    auto statics = cache_rule("static files", 1h);
    statics.path_prefixes = {"/static/"};
    statics.ignore_cookies = true;
    c.rules.push_back(statics);
    return c;
}

TestRequest get(std::string_view target, std::string_view host = "example.com") {
    TestRequest r(target);
    r.host(host);
    return r;
}

}  // namespace

TEST(Decision, ReasonNames) {
    EXPECT_EQ(to_string(DecisionReason::RuleCache), "rule_cache");
    EXPECT_EQ(to_string(DecisionReason::RulePass), "rule_pass");
    EXPECT_EQ(to_string(DecisionReason::NoRuleMatched), "no_rule_matched");
    EXPECT_EQ(to_string(DecisionReason::MethodNotCacheable), "method_not_cacheable");
    EXPECT_EQ(to_string(DecisionReason::RequestHasAuthorization), "request_has_authorization");
    EXPECT_EQ(to_string(DecisionReason::PersonalVisitor), "personal_visitor");
}

TEST(RuleSet, SeedCaseAnonymousVisitorIsCached) {
    RuleSet rs(seed_config());
    auto d = rs.decide(get("/project/7?tab=files"));
    EXPECT_EQ(d.action, Action::Cache);
    EXPECT_EQ(d.reason, DecisionReason::RuleCache);
    EXPECT_EQ(d.rule_name, "anonymous pages");
    EXPECT_EQ(d.key, "http://example.com/project/7?tab=files");
    EXPECT_EQ(d.ttl, 60s);
    EXPECT_TRUE(d.strip_set_cookie);

    auto with_anon_session = get("/about");
    with_anon_session.cookie("session=" + std::string(kAnonCookie));
    EXPECT_EQ(rs.decide(with_anon_session).action, Action::Cache);
}

TEST(RuleSet, SeedCaseLoggedInVisitorPasses) {
    RuleSet rs(seed_config());
    for (std::string cookie :
         {"session=" + std::string(kUserCookie), "session=" + std::string(kCompressedUserCookie),
          std::string("remember_token=abc"), std::string("sessionid=1"),
          "session=" + std::string(kBadZlibCookie)}) {
        auto r = get("/about");
        r.cookie(cookie);
        auto d = rs.decide(r);
        EXPECT_EQ(d.action, Action::Pass) << cookie;
        EXPECT_EQ(d.reason, DecisionReason::PersonalVisitor) << cookie;
        EXPECT_TRUE(d.key.empty());
    }
    // Static files are shared whoever asks (ignore_cookies = true).
    auto css = get("/static/site.css");
    css.cookie("session=" + std::string(kUserCookie));
    auto d = rs.decide(css);
    EXPECT_EQ(d.action, Action::Cache);
    EXPECT_EQ(d.rule_name, "static files");
    EXPECT_EQ(d.ttl, 1h);
    EXPECT_FALSE(d.strip_set_cookie);
}

TEST(RuleSet, CachingRuleForAnyVisitorIsAnonymousOnlyWhenIdentityIsConfigured) {
    config::Config c;
    c.identity.cookies = {"remember_token"};
    auto r = cache_rule("everything");
    r.paths = {"*"};
    c.rules.push_back(r);
    RuleSet rs(c);
    EXPECT_EQ(rs.decide(get("/x")).action, Action::Cache);
    auto logged = get("/x");
    logged.cookie("remember_token=1");
    EXPECT_EQ(rs.decide(logged).action, Action::Pass);

    // Without [identity] a cookie the rule does not key on is undeclared: the visitor passes.
    config::Config no_identity;
    no_identity.rules.push_back(r);
    RuleSet open(no_identity);
    EXPECT_EQ(open.decide(logged).why(), "undeclared_cookie:remember_token");
}

TEST(RuleSet, AuthenticatedVisitorRule) {
    config::Config c = seed_config();
    auto p = pass_rule("logged in");
    p.visitor = config::Visitor::Authenticated;
    c.rules.insert(c.rules.begin(), p);
    RuleSet rs(c);
    auto logged = get("/static/x.css");
    logged.cookie("remember_token=1");
    auto d = rs.decide(logged);
    EXPECT_EQ(d.reason, DecisionReason::RulePass);
    EXPECT_EQ(d.rule_name, "logged in");
    EXPECT_EQ(rs.decide(get("/static/x.css")).rule_name, "static files");
}

TEST(RuleSet, FirstMatchWins) {
    config::Config c;
    auto admin = pass_rule("admin");
    admin.path_prefixes = {"/admin"};
    auto all = cache_rule("all", 5s);
    all.paths = {"*"};
    auto late = cache_rule("never reached", 9s);
    late.path_prefixes = {"/admin"};
    c.rules = {admin, all, late};
    RuleSet rs(c);
    auto d = rs.decide(get("/admin/users"));
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.reason, DecisionReason::RulePass);
    EXPECT_EQ(d.rule_name, "admin");
    d = rs.decide(get("/blog"));
    EXPECT_EQ(d.rule_name, "all");
    EXPECT_EQ(d.ttl, 5s);
}

TEST(RuleSet, NoRulesOrNoMatchPasses) {
    config::Config c;
    RuleSet empty(c);
    auto d = empty.decide(get("/"));
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.reason, DecisionReason::NoRuleMatched);
    EXPECT_TRUE(d.rule_name.empty());

    c.cache.default_policy = "http";  // unmatched GET/HEAD: the response decides (RFC 9111)
    auto r = cache_rule("about");
    r.paths = {"/about"};
    c.rules.push_back(r);
    RuleSet rs(c);
    auto other = rs.decide(get("/other?b=2&a=1"));
    EXPECT_EQ(other.action, Action::Cache);
    EXPECT_EQ(other.reason, DecisionReason::HttpDefault);
    EXPECT_TRUE(other.follow_origin);
    EXPECT_EQ(other.key, "http://example.com/other?b=2&a=1");
    EXPECT_FALSE(rs.decide(get("/about")).follow_origin);  // the rule's TTL is forced
}

TEST(RuleSet, CacheOriginRuleFollowsTheApp) {
    config::Config c;
    auto r = cache_rule("api");
    r.ttl.reset();
    r.ttl_from_origin = true;
    r.path_prefixes = {"/api/"};
    c.rules.push_back(r);
    RuleSet rs(c);
    auto d = rs.decide(get("/api/x"));
    EXPECT_EQ(d.action, Action::Cache);
    EXPECT_TRUE(d.follow_origin);
    EXPECT_EQ(d.rule_name, "api");
    auto authorized = get("/api/x");
    authorized.header("authorization", "Bearer t");  // never shared, even when `public`
    EXPECT_EQ(rs.decide(authorized).reason, DecisionReason::RequestHasAuthorization);
}

TEST(RuleSet, AuthorizationNeverGetsAForcedTtl) {
    config::Config c;
    auto all = cache_rule("all");
    all.paths = {"*"};
    c.rules.push_back(all);
    RuleSet rs(c);
    auto r = get("/x");
    r.header("authorization", "Bearer t");
    auto d = rs.decide(r);
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.reason, DecisionReason::RequestHasAuthorization);
}

TEST(RuleSet, MethodsMatcherAndOnlyGetHeadCache) {
    config::Config c;
    auto api = cache_rule("api");
    api.path_prefixes = {"/api/"};
    api.methods = {"GET", "HEAD", "POST"};
    auto purge = pass_rule("purge");
    purge.methods = {"PURGE"};
    auto get_only = cache_rule("get only");
    get_only.methods = {"GET"};
    c.rules = {api, purge, get_only};
    RuleSet rs(c);

    TestRequest post("/api/x", "POST");
    auto d = rs.decide(post);
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.reason, DecisionReason::MethodNotCacheable);
    EXPECT_EQ(d.rule_name, "api");
    EXPECT_EQ(rs.decide(TestRequest("/api/x", "HEAD")).action, Action::Cache);
    EXPECT_EQ(rs.decide(TestRequest("/x", "PURGE")).rule_name, "purge");
    EXPECT_EQ(rs.decide(TestRequest("/x", "HEAD")).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(TestRequest("/x", "GET")).rule_name, "get only");
    EXPECT_EQ(rs.decide(TestRequest("/x", "DELETE")).reason, DecisionReason::NoRuleMatched);

    config::Config any;
    auto anything = cache_rule("any method");
    anything.methods.clear();
    any.rules = {anything};
    RuleSet rs_any(any);
    EXPECT_EQ(rs_any.decide(TestRequest("/", "PUT")).reason, DecisionReason::MethodNotCacheable);
    EXPECT_EQ(rs_any.decide(TestRequest("/", "GET")).reason, DecisionReason::RuleCache);
}

TEST(RuleSet, PathMatchers) {
    config::Config c;
    auto exact = cache_rule("exact");
    exact.paths = {"/a", "/b/*/c"};
    auto prefix = cache_rule("prefix");
    prefix.path_prefixes = {"/p/", "/q/"};
    auto re = cache_rule("regex");
    re.path_regex = "^/r/[0-9]+$";
    auto both = cache_rule("prefix and regex");
    both.path_prefixes = {"/s/"};
    both.path_regex = "\\.json$";
    c.rules = {exact, prefix, re, both};
    RuleSet rs(c);
    EXPECT_EQ(rs.decide(get("/a")).rule_name, "exact");
    EXPECT_EQ(rs.decide(get("/a/")).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(get("/b/x/y/c")).rule_name, "exact");
    EXPECT_EQ(rs.decide(get("/q/1")).rule_name, "prefix");
    EXPECT_EQ(rs.decide(get("/r/12?x=1")).rule_name, "regex");  // regex sees the path only
    EXPECT_EQ(rs.decide(get("/r/12a")).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(get("/s/a.json")).rule_name, "prefix and regex");
    EXPECT_EQ(rs.decide(get("/s/a.html")).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(get("/t/a.json")).reason, DecisionReason::NoRuleMatched);
}

TEST(RuleSet, HostMatcher) {
    config::Config c;
    auto r = cache_rule("www");
    r.hosts = {"www.Example.com", "example.com"};
    c.rules = {r};
    RuleSet rs(c);
    EXPECT_EQ(rs.decide(get("/", "WWW.EXAMPLE.COM")).action, Action::Cache);
    EXPECT_EQ(rs.decide(get("/", "example.com:8080")).action, Action::Cache);
    EXPECT_EQ(rs.decide(get("/", "api.example.com")).action, Action::Pass);
    EXPECT_EQ(rs.decide(TestRequest("/")).action, Action::Pass);  // no Host
}

TEST(RuleSet, QueryCookieAndHeaderConditions) {
    config::Config c;
    auto preview = pass_rule("preview");
    preview.query = {{"preview", Kind::Present, {}}};
    auto lang = cache_rule("french");
    lang.cookies = {{"lang", Kind::Equals, "fr"}};
    lang.headers = {{"x-requested-with", Kind::Absent, {}}};
    auto search = cache_rule("search");
    search.query = {{"q", Kind::Regex, "^[a-z ]+$"}, {"page", Kind::Absent, {}}};
    c.rules = {preview, lang, search};
    RuleSet rs(c);

    EXPECT_EQ(rs.decide(get("/?preview")).rule_name, "preview");
    auto fr = get("/x");
    fr.cookie("lang=fr");
    EXPECT_EQ(rs.decide(fr).rule_name, "french");
    fr.header("X-Requested-With", "XMLHttpRequest");
    EXPECT_EQ(rs.decide(fr).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(get("/s?q=hello+world")).rule_name, "search");
    EXPECT_EQ(rs.decide(get("/s?q=hello%20world")).rule_name, "search");
    EXPECT_EQ(rs.decide(get("/s?q=hello+world&page=2")).reason, DecisionReason::NoRuleMatched);
    EXPECT_EQ(rs.decide(get("/s?q=Hello")).reason, DecisionReason::NoRuleMatched);
}

TEST(RuleSet, CustomKeyTemplate) {
    config::Config c;
    auto r = cache_rule("custom");
    r.key = "${method}|${host}${path}|${cookie:lang}|${header:accept-encoding}";
    c.rules = {r};
    RuleSet rs(c);
    auto req = get("/p?x=1", "Example.com:80");
    req.cookie("lang=de; _ga=1").header("Accept-Encoding", "gzip");  // keyed and analytics
    EXPECT_EQ(rs.decide(req).key, "GET|example.com/p|de|gzip");
    EXPECT_EQ(rs.decide(req, "https").key, "GET|example.com:80/p|de|gzip");
}

TEST(RuleSet, VaryCookiesSplitTheKeyOtherCookiesDoNot) {
    config::Config c;
    auto r = cache_rule("pages");
    r.vary_cookies = {"lang", "currency"};
    c.rules = {r};
    RuleSet rs(c);
    auto fr = get("/p");
    fr.cookie("_ga=GA1.2.111; lang=fr; _gid=abc");
    EXPECT_EQ(rs.decide(fr).key,
              std::string("http://example.com/p\x1f") + "lang=fr\x1f" + "currency=");
    auto fr2 = get("/p");
    fr2.cookie("lang=fr; _ga=GA1.2.999; _fbp=fb.1");
    EXPECT_EQ(rs.decide(fr2).key, rs.decide(fr).key);  // analytics cookies do not split
    auto de = get("/p");
    de.cookie("lang=de");
    EXPECT_NE(rs.decide(de).key, rs.decide(fr).key);
    auto none = get("/p");
    EXPECT_EQ(rs.decide(none).key, std::string("http://example.com/p\x1flang=\x1f") + "currency=");
}

TEST(RuleSet, AnalyticsCookiesNeverAffectTheDefaultKey) {
    RuleSet rs(seed_config());
    auto a = get("/about");
    a.cookie("_ga=GA1.2.1; _gid=GA1.2.2");
    auto b = get("/about");
    b.cookie("_ga=GA1.2.3; _hjid=x; theme=dark");
    auto plain = get("/about");
    EXPECT_EQ(rs.decide(a).key, "http://example.com/about");
    EXPECT_EQ(rs.decide(b).key, rs.decide(a).key);
    EXPECT_EQ(rs.decide(plain).key, rs.decide(a).key);
}

TEST(RuleSet, QueryNormalisationFromCacheAndRuleSettings) {
    config::Config c;
    c.cache.sort_query = true;
    c.cache.drop_query = {"utm_*", "fbclid"};
    auto keep = cache_rule("keep as sent");
    keep.path_prefixes = {"/raw/"};
    keep.sort_query = false;
    keep.drop_query = std::vector<std::string>{};
    auto normal = cache_rule("normal");
    c.rules = {keep, normal};
    RuleSet rs(c);
    EXPECT_EQ(rs.decide(get("/x?b=2&utm_source=n&a=1&fbclid=z")).key,
              "http://example.com/x?a=1&b=2");
    EXPECT_EQ(rs.decide(get("/x?utm_source=n&fbclid=z")).key, "http://example.com/x");
    EXPECT_EQ(rs.decide(get("/raw/x?b=2&utm_source=n&a=1")).key,
              "http://example.com/raw/x?b=2&utm_source=n&a=1");
}

TEST(RuleSet, HeadSharesTheKeyOfGet) {
    RuleSet rs(seed_config());
    TestRequest head("/about", "HEAD");
    head.host("example.com");
    EXPECT_EQ(rs.decide(head).key, rs.decide(get("/about")).key);
}

TEST(RuleSet, BadRulesThrowNamingTheRule) {
    config::Config c;
    auto r = cache_rule("broken regex");
    r.line = 12;
    r.path_regex = "([";
    c.rules = {r};
    try {
        RuleSet rs(c);
        FAIL();
    } catch (const std::invalid_argument& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("broken regex"), std::string::npos) << what;
        EXPECT_NE(what.find("line 12"), std::string::npos) << what;
    }
    config::Config k;
    auto bad_key = cache_rule("bad key");
    bad_key.key = "${nope}";
    k.rules = {bad_key};
    EXPECT_THROW(RuleSet{k}, std::invalid_argument);
    config::Config q;
    auto bad_cond = cache_rule("bad condition");
    bad_cond.cookies = {{"x", Kind::Regex, "("}};
    q.rules = {bad_cond};
    EXPECT_THROW(RuleSet{q}, std::invalid_argument);
}

TEST(RuleSet, SharedByManyThreads) {
    config::Config c = seed_config();
    c.identity.flask_session->secret_key = std::string(kFlaskSecret);
    auto api = cache_rule("api");
    api.path_regex = "^/api/[0-9]+$";
    api.query = {{"q", Kind::Regex, "^a b$"}};
    c.rules.insert(c.rules.begin(), api);
    RuleSet rs(c);
    auto user = get("/about");
    user.cookie("session=" + std::string(kCompressedUserCookie));
    auto anon = get("/about");
    anon.cookie("session=" + std::string(kCompressedAnonCookie));
    auto forged = get("/about");
    forged.cookie("session=" + std::string(kOtherKeyAnonCookie));
    auto regex = get("/api/12?q=a+b");
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                wrong += rs.decide(user).action != Action::Pass;
                wrong += rs.decide(anon).action != Action::Cache;
                wrong += rs.decide(forged).action != Action::Pass;
                wrong += rs.decide(regex).rule_name != "api";
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
}

// --- privacy: who passes, why, and which cookies a shared fetch may carry ---

TEST(RuleSetPrivacy, FlashedMessagesPassNamingTheKey) {
    RuleSet rs(seed_config());
    auto r = get("/");
    r.cookie("session=" + std::string(kFlashCookie));
    auto d = rs.decide(r);
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.reason, DecisionReason::PersonalVisitor);
    EXPECT_EQ(d.why(), "session_personal_key:_flashes");
    EXPECT_EQ(d.rule_name, "anonymous pages");
    // A session holding only a cart still shares the cache.
    auto cart = get("/");
    cart.cookie("session=" + std::string(kCartCookie) + "; _ga=1");
    EXPECT_EQ(rs.decide(cart).action, Action::Cache);
}

TEST(RuleSetPrivacy, LoggedInReasonNamesTheCookie) {
    RuleSet rs(seed_config());
    auto r = get("/about");
    r.cookie("remember_token=abc");
    EXPECT_EQ(rs.decide(r).why(), "login_cookie:remember_token");
    auto s = get("/about");
    s.cookie("session=" + std::string(kUserCookie));
    EXPECT_EQ(rs.decide(s).why(), "session_user:session");
    // A path no caching rule covers was never about the visitor.
    auto other = get("/profile");
    other.cookie("remember_token=abc");
    EXPECT_EQ(rs.decide(other).why(), "no_rule_matched");
}

TEST(RuleSetPrivacy, WithoutIdentityAnyUndeclaredCookiePasses) {
    config::Config c;
    auto pages = cache_rule("pages");
    pages.paths = {"/", "/about"};
    c.rules.push_back(pages);
    RuleSet rs(c);
    EXPECT_EQ(rs.decide(get("/")).action, Action::Cache);
    auto analytics = get("/");
    analytics.cookie("_ga=GA1.2.3; _gid=4");
    EXPECT_EQ(rs.decide(analytics).action, Action::Cache);
    auto member = get("/");
    member.cookie("_ga=1; session=alice");
    auto d = rs.decide(member);
    EXPECT_EQ(d.action, Action::Pass);
    EXPECT_EQ(d.why(), "undeclared_cookie:session");
}

TEST(RuleSetPrivacy, HttpDefaultPassesPersonalVisitors) {
    config::Config c;
    c.cache.default_policy = "http";
    c.identity.flask_session = config::FlaskSessionConfig{};
    RuleSet rs(c);
    auto flash = get("/x");
    flash.cookie("session=" + std::string(kFlashCookie));
    EXPECT_EQ(rs.decide(flash).why(), "session_personal_key:_flashes");
    auto cart = get("/x");
    cart.cookie("session=" + std::string(kCartCookie));
    auto d = rs.decide(cart);
    EXPECT_EQ(d.action, Action::Cache);
    ASSERT_NE(d.forwarded_cookies, nullptr);
    EXPECT_TRUE(d.forwarded_cookies->empty());
}

TEST(RuleSetPrivacy, ForwardedCookiesAreTheKeyedOnes) {
    config::Config c;
    auto r = cache_rule("lang");
    r.paths = {"*"};
    r.key = "${host}${path}|${cookie:lang}";
    r.vary_cookies = {"theme", "lang"};
    r.ignore_cookies = true;
    c.rules.push_back(r);
    RuleSet rs(c);
    auto req = get("/x");
    req.cookie("lang=fr; theme=dark; session=s");
    auto d = rs.decide(req);
    ASSERT_EQ(d.action, Action::Cache);
    ASSERT_NE(d.forwarded_cookies, nullptr);
    EXPECT_EQ(*d.forwarded_cookies, (std::vector<std::string>{"lang", "theme"}));
}

TEST(RuleSetPrivacy, IgnoreCookiesSharesEvenWithPersonalState) {
    RuleSet rs(seed_config());
    auto css = get("/static/app.css");
    css.cookie("session=" + std::string(kFlashCookie) + "; messages=x");
    EXPECT_EQ(rs.decide(css).action, Action::Cache);
}

TEST(RuleSetPrivacy, RequestsASharedFetchCannotReproducePass) {
    RuleSet rs(seed_config());
    auto body = get("/about", "example.com");
    http::Request with_body = body.get();
    with_body.body = http::BodyView("x");
    EXPECT_EQ(rs.decide(with_body).reason, DecisionReason::RequestHasBody);
    auto conn = get("/about");
    conn.header("Connection", "keep-alive, Cookie");
    EXPECT_EQ(rs.decide(conn).why(), "connection_names_fields");
    auto plain = get("/about");
    plain.header("Connection", "keep-alive, Upgrade");
    EXPECT_EQ(rs.decide(plain).action, Action::Cache);
}
