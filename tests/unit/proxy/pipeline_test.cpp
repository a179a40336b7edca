// The whole request journey in-process: the real Pipeline, RuleSet, Store, coalescing table and
// policies, a scripted origin (scripted_origin.hpp) and obs::ManualClock. No sockets, no sleeps:
// concurrent requests are ordered with Gates held at the origin, time moves by advance().
#include "larder/proxy/pipeline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>

#include "larder/coding/codec.hpp"
#include "larder/http/request_parser.hpp"
#include "larder/proxy/purge.hpp"
#include "scripted_origin.hpp"

using namespace larder;
using namespace larder::proxy::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

class PipelineTest : public ::testing::Test {
  protected:
    PipelineTest() {
        config.server.debug_headers = true;
        config.cache.lock_timeout = 5s;
    }

    config::RuleConfig rule(std::string name, std::string prefix, std::chrono::seconds ttl) {
        config::RuleConfig r;
        r.name = std::move(name);
        r.path_prefixes = {std::move(prefix)};
        r.ttl = ttl;
        return r;
    }

    void start() {
        rules = std::make_unique<rules::RuleSet>(config);
        http_options = cache::http_policy_options(config.cache);
        shared = std::make_unique<proxy::Shared>(proxy::Shared{.config = config,
                                                               .rules = *rules,
                                                               .store = store,
                                                               .http_policy = http_options,
                                                               .clock = clock});
        counters.emplace(obs::CounterShape{.rules = config.rules.size(), .backends = 1});
        pipeline = std::make_unique<proxy::Pipeline>(*shared, origin, *counters);
    }

    // Starts a request; its response is filled in once the io_context has run it.
    // `body` goes after the head (the caller adds its framing); `spool` says where it is kept.
    Response& spawn(std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    const std::string& body = {}, http::SpoolSettings spool = {},
                    std::string version = "HTTP/1.1") {
        auto& c = calls.emplace_back();
        c.raw = method + " " + target + " " + version + "\r\nHost: example.com\r\n";
        for (const auto& [n, v] : headers) c.raw += n + ": " + v + "\r\n";
        c.raw += "\r\n" + body;
        c.parser = std::make_unique<http::RequestParser>(
            http::ParserLimits{.max_body_size = 1024 * 1024}, std::move(spool));
        EXPECT_EQ(c.parser->parse(c.raw.data(), c.raw.size()),
                  http::RequestParser::State::Complete);
        asio::co_spawn(
            io,
            [this, &c]() -> asio::awaitable<void> {
                c.keep_alive = co_await pipeline->handle(c.parser->request(), client, c.writer);
                c.response = Response::parse(c.writer.bytes);
            },
            asio::detached);
        return c.response;
    }

    Response get(std::string target, std::vector<std::pair<std::string, std::string>> h = {}) {
        Response& r = spawn("GET", std::move(target), std::move(h));
        io.restart();
        io.run();
        return r;
    }

    // Any method, run to its end; `body` gets its Content-Length here.
    Response spawn_and_run(std::string method, std::string target,
                           std::vector<std::pair<std::string, std::string>> h = {},
                           const std::string& body = {}, std::string version = "HTTP/1.1") {
        if (!body.empty()) h.emplace_back("Content-Length", std::to_string(body.size()));
        Response& r =
            spawn(std::move(method), std::move(target), std::move(h), body, {}, std::move(version));
        io.restart();
        io.run();
        return r;
    }

    // The flight running for `key` (nullptr when none), looked up without joining it for long:
    // the follower this lookup creates is not waited on.
    cache::FlightPtr in_flight(const std::string& key) {
        http::HeaderList none;
        auto found = store.lookup_or_join(
            cache::Key::from(key), none,
            [](const cache::Object&) { return cache::Usability::Stale; }, clock.now());
        if (found.kind == cache::Lookup::Kind::Leader) {  // nothing was running: end ours
            store.hand_over(found.flight, nullptr);
            return nullptr;
        }
        return found.flight;
    }

    // Runs ready work until `done` holds (bounded: the work is all in-process).
    void run_until(const std::function<bool()>& done) {
        io.restart();
        for (int i = 0; i < 10000 && !done(); ++i) io.poll_one();
        ASSERT_TRUE(done());
    }

    std::uint64_t counted(proxy::CacheStatus status) const {
        return counters->responses_with_status(static_cast<std::size_t>(status));
    }

    void run_all() {
        io.restart();
        io.run();
    }

    struct Call {
        std::string raw;
        std::unique_ptr<http::RequestParser> parser;
        MemoryWriter writer;
        Response response;
        bool keep_alive = false;  // what handle() said: the connection may carry another request
    };

    config::Config config;
    std::unique_ptr<rules::RuleSet> rules;
    cache::Store store{cache::StoreLimits{.max_size = 64 * 1024 * 1024, .shards = 4}};
    cache::HttpPolicyOptions http_options;
    obs::ManualClock clock;
    std::optional<obs::Counters> counters;  // shaped by the config, in start()
    ScriptedSource origin;
    proxy::ClientInfo client{.ip = "127.0.0.9", .address = "127.0.0.9:1234"};
    std::unique_ptr<proxy::Shared> shared;
    std::unique_ptr<proxy::Pipeline> pipeline;
    asio::io_context io{1};
    std::deque<Call> calls;
};

Script page(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Script{.headers = std::move(headers), .body = std::move(body)};
}

}  // namespace

TEST_F(PipelineTest, MissThenHitWithOneOriginRequest) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    EXPECT_EQ(get("/p/a").x_cache(), "MISS");
    Response hit = get("/p/a");
    EXPECT_EQ(hit.x_cache(), "HIT");
    EXPECT_EQ(hit.body, "origin");
    EXPECT_EQ(hit.field("content-length"), "6");
    EXPECT_EQ(origin.count("/p/a"), 1u);
    EXPECT_EQ(counted(proxy::CacheStatus::Hit), 1u);
    EXPECT_EQ(counted(proxy::CacheStatus::Miss), 1u);
    EXPECT_EQ(counters->cache_stores.load(), 1u);
}

TEST_F(PipelineTest, SharedFetchCarriesOnlyKeyedCookies) {
    auto r = rule("pages", "/p/", 60s);
    r.vary_cookies = {"lang"};
    config.rules.push_back(r);
    config.identity.cookies = {"remember_token"};
    start();
    EXPECT_EQ(get("/p/a", {{"Cookie", "cart=alice; lang=fr; csrftoken=x"}}).x_cache(), "MISS");
    ASSERT_EQ(origin.sent.size(), 1u);
    EXPECT_EQ(origin.sent[0].field("cookie"), "lang=fr");
    EXPECT_EQ(get("/p/a", {{"Cookie", "lang=fr"}}).x_cache(), "HIT");
    // A logged-in visitor passes with everything they sent, and the reason says why.
    Response member = get("/p/a", {{"Cookie", "remember_token=t; lang=fr"}});
    EXPECT_EQ(member.x_cache(), "PASS");
    EXPECT_EQ(member.field("x-cache-reason"), "login_cookie:remember_token");
    EXPECT_EQ(origin.sent.back().field("cookie"), "remember_token=t; lang=fr");
}

TEST_F(PipelineTest, SharedFetchDropsProxyCredentialsAndALoneIfRange) {
    // Each alone, without the Cookie or Range that usually comes with it: the fast path that
    // sends the client's own request must still see them.
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    EXPECT_EQ(get("/p/a", {{"Proxy-Authorization", "Basic c2VjcmV0"}}).x_cache(), "MISS");
    EXPECT_EQ(get("/p/b", {{"If-Range", "\"v1\""}}).x_cache(), "MISS");
    ASSERT_EQ(origin.sent.size(), 2u);
    EXPECT_FALSE(origin.sent[0].has("proxy-authorization"));
    EXPECT_FALSE(origin.sent[1].has("if-range"));
}

TEST_F(PipelineTest, CoalescedRequestsReachTheOriginOnce) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    config.identity.cookies = {"remember_token"};  // so a cart cookie is not personal
    start();
    auto gate = std::make_shared<Gate>();
    origin.respond = [&](const Sent&) {
        Script s = page("viral");
        s.hold = gate;
        return s;
    };
    Response& leader = spawn("GET", "/p/v");
    run_until([&] { return origin.sent.size() == 1; });
    // The flight the leader holds, seen by a lookup of the same key (which joins as follower).
    auto leader_flight = [&] { return in_flight("http://example.com/p/v"); };
    Response& follower = spawn("GET", "/p/v", {{"Cookie", "cart=bob"}});
    run_until([&] { return store.waiters(leader_flight()) == 1; });
    gate->open();
    run_all();
    EXPECT_EQ(leader.x_cache(), "MISS");
    EXPECT_EQ(follower.x_cache(), "COALESCED");
    EXPECT_EQ(follower.body, "viral");
    EXPECT_EQ(origin.sent.size(), 1u);
}

TEST_F(PipelineTest, GraceServesStaleAndRefreshesOnceWithoutCookies) {
    auto r = rule("pages", "/p/", 10s);
    r.grace = 60s;
    config.rules.push_back(r);
    config.identity.cookies = {"remember_token"};
    start();
    int version = 0;
    origin.respond = [&](const Sent&) { return page("v" + std::to_string(++version)); };
    EXPECT_EQ(get("/p/g").body, "v1");
    clock.advance(11s);
    Response stale = get("/p/g", {{"Cookie", "cart=alice"}});
    EXPECT_EQ(stale.x_cache(), "STALE");
    EXPECT_EQ(stale.body, "v1");
    ASSERT_EQ(origin.sent.size(), 2u);  // the refresh ran with the request
    EXPECT_FALSE(origin.sent[1].has("cookie"));
    Response fresh = get("/p/g");
    EXPECT_EQ(fresh.x_cache(), "HIT");
    EXPECT_EQ(fresh.body, "v2");
    EXPECT_EQ(counters->background_refreshes.load(), 1u);
}

TEST_F(PipelineTest, StaleIfErrorThenTheErrorOnceTheWindowCloses) {
    auto r = rule("pages", "/p/", 10s);
    r.grace = 0s;
    r.stale_if_error = 30s;
    config.rules.push_back(r);
    start();
    EXPECT_EQ(get("/p/e").x_cache(), "MISS");
    origin.respond = [](const Sent&) { return Script{.status = 503, .body = "down"}; };
    clock.advance(20s);
    Response stale = get("/p/e");
    EXPECT_EQ(stale.x_cache(), "STALE");
    EXPECT_EQ(stale.field("x-cache-reason"), "stale_if_error");
    EXPECT_EQ(stale.body, "origin");
    clock.advance(30s);
    Response error = get("/p/e");
    EXPECT_EQ(error.status, 503);
    EXPECT_EQ(error.body, "down");
    origin.respond = [](const Sent&) {
        Script s;
        s.error = upstream::UpstreamError::ConnectFailed;
        return s;
    };
    EXPECT_EQ(get("/p/e").status, 502);
}

TEST_F(PipelineTest, RevalidationSendsValidatorsAndA304Refreshes) {
    config.cache.default_policy = "http";
    start();
    origin.respond = [&](const Sent& s) {
        if (s.has("if-none-match"))
            return Script{.status = 304,
                          .headers = {{"ETag", "\"v1\""}, {"Cache-Control", "max-age=10"}}};
        return page("body-v1", {{"ETag", "\"v1\""}, {"Cache-Control", "max-age=10"}});
    };
    EXPECT_EQ(get("/r").x_cache(), "MISS");
    clock.advance(11s);
    Response r = get("/r");
    EXPECT_EQ(origin.sent.back().field("if-none-match"), "\"v1\"");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "body-v1");
    EXPECT_EQ(r.field("x-cache-reason"), "revalidated");
    EXPECT_EQ(get("/r").x_cache(), "HIT");
    EXPECT_EQ(origin.sent.size(), 2u);
}

TEST_F(PipelineTest, ResponsesAreCountedPerRuleAndStatus) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    config.rules.push_back(rule("news", "/n/", 60s));
    start();
    get("/p/a");
    get("/p/a");
    get("/p/a");
    get("/n/x");
    get("/elsewhere");
    auto at = [&](std::size_t row, proxy::CacheStatus s) {
        return counters->responses.get(row, static_cast<std::size_t>(s));
    };
    EXPECT_EQ(at(0, proxy::CacheStatus::Miss), 1u);
    EXPECT_EQ(at(0, proxy::CacheStatus::Hit), 2u);
    EXPECT_EQ(at(1, proxy::CacheStatus::Miss), 1u);
    EXPECT_EQ(at(1, proxy::CacheStatus::Hit), 0u);
    EXPECT_EQ(at(2, proxy::CacheStatus::Pass), 1u);  // no rule matched: the last row
    EXPECT_EQ(counted(proxy::CacheStatus::Hit), 2u);
    auto top = counters->top_keys.snapshot();
    ASSERT_EQ(top.size(), 1u);  // a worker's first kExactHits hits are all counted
    EXPECT_EQ(top[0].count, 2u);
    EXPECT_EQ(top[0].key, "http://example.com/p/a");
}

TEST_F(PipelineTest, VaryRefreshIsStoredAgainNotHitForPass) {
    config.cache.default_policy = "http";
    start();
    origin.respond = [&](const Sent& s) {
        return page("lang=" + s.field("accept-language"),
                    {{"Cache-Control", "max-age=1, stale-while-revalidate=30"},
                     {"Vary", "Accept-Language"}});
    };
    std::vector<std::pair<std::string, std::string>> fr{{"Accept-Language", "fr"}};
    EXPECT_EQ(get("/v", fr).x_cache(), "MISS");
    clock.advance(2s);
    EXPECT_EQ(get("/v", fr).x_cache(), "STALE");
    EXPECT_EQ(origin.sent.back().field("accept-language"), "fr");
    Response again = get("/v", fr);
    EXPECT_EQ(again.x_cache(), "HIT");
    EXPECT_EQ(again.body, "lang=fr");
    EXPECT_EQ(counted(proxy::CacheStatus::HitForPass), 0u);
}

TEST_F(PipelineTest, UnstorableSharedFetchIsRefetchedAsTheVisitorsOwn) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    config.identity.cookies = {"remember_token"};
    start();
    origin.respond = [&](const Sent& s) {
        return page("for[" + s.field("cookie") + "]", {{"Set-Cookie", "session=new"}});
    };
    Response r = get("/p/sc", {{"Cookie", "cart=alice"}});
    EXPECT_EQ(r.x_cache(), "PASS");
    EXPECT_EQ(r.body, "for[cart=alice]");
    ASSERT_EQ(origin.sent.size(), 2u);
    EXPECT_FALSE(origin.sent[0].has("cookie"));
    Response next = get("/p/sc", {{"Cookie", "cart=bob"}});
    EXPECT_EQ(next.x_cache(), "HIT-FOR-PASS");
    EXPECT_EQ(next.body, "for[cart=bob]");
}

TEST_F(PipelineTest, UnsafeRequestInvalidatesTheStoredPage) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    EXPECT_EQ(get("/p/item").x_cache(), "MISS");
    EXPECT_EQ(get("/p/item").x_cache(), "HIT");
    Response& post = spawn("POST", "/p/item", {{"Content-Length", "0"}});
    run_all();
    EXPECT_EQ(post.x_cache(), "PASS");
    EXPECT_EQ(get("/p/item").x_cache(), "MISS");
}

TEST_F(PipelineTest, SpooledBodyReachesTheOriginWholeAndStillInvalidates) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    EXPECT_EQ(get("/p/item").x_cache(), "MISS");
    EXPECT_EQ(get("/p/item").x_cache(), "HIT");
    std::string body(100'000, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 31 + i / 251);
    Response& post = spawn("POST", "/p/item", {{"Content-Length", std::to_string(body.size())}},
                           body, {.memory_limit = 1024, .directory = ""});
    ASSERT_FALSE(calls.back().parser->request().body.in_memory()) << "spooled, not in memory";
    run_all();
    EXPECT_EQ(post.status, 200);
    EXPECT_EQ(post.x_cache(), "PASS");
    ASSERT_EQ(origin.sent.size(), 2u);
    EXPECT_EQ(origin.sent[1].field("content-length"), "100000");
    EXPECT_TRUE(origin.sent[1].body == body) << "the origin got other bytes";
    EXPECT_EQ(get("/p/item").x_cache(), "MISS") << "a spooled POST invalidates like any other";
}

TEST_F(PipelineTest, OnlyIfCachedMissIs504WithoutAnOriginRequest) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    Response r = get("/p/none", {{"Cache-Control", "only-if-cached"}});
    EXPECT_EQ(r.status, 504);
    EXPECT_TRUE(origin.sent.empty());
}

TEST_F(PipelineTest, PassedResponsesAreRelayedNotStored) {
    start();  // no rules: everything passes
    origin.respond = [](const Sent&) { return page("passed", {{"Set-Cookie", "a=1"}}); };
    Response r = get("/x", {{"Cookie", "session=s"}});
    EXPECT_EQ(r.x_cache(), "PASS");
    EXPECT_EQ(r.field("x-cache-reason"), "no_rule_matched");
    EXPECT_EQ(r.field("set-cookie"), "a=1");
    EXPECT_EQ(r.field("content-length"), "6");
    EXPECT_EQ(origin.sent[0].field("cookie"), "session=s");
    EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(PipelineTest, InvalidationReachesKeysOfEveryRuleThroughTheUrlIndex) {
    // Regression (issue 11): with sort_query, POST /item?b=2&a=1 used to leave
    // GET /item?b=2&a=1 a HIT, and keys with vary_cookies were never invalidated.
    auto items = rule("items", "/item", 60s);
    items.sort_query = true;
    config.rules.push_back(items);
    auto lang = rule("lang", "/lang", 60s);
    lang.vary_cookies = {"lang"};
    config.rules.push_back(lang);
    config.identity.cookies = {"remember_token"};
    start();
    EXPECT_EQ(get("/item?b=2&a=1").x_cache(), "MISS");
    EXPECT_EQ(get("/item?a=1&b=2").x_cache(), "HIT");
    EXPECT_EQ(get("/item?a=9").x_cache(), "MISS");
    spawn("POST", "/item?b=2&a=1", {{"Content-Length", "0"}});
    run_all();
    EXPECT_EQ(get("/item?b=2&a=1").x_cache(), "MISS");
    EXPECT_EQ(get("/item?a=9").x_cache(), "HIT");  // another query of the same path stays

    std::vector<std::pair<std::string, std::string>> fr{{"Cookie", "lang=fr"}};
    std::vector<std::pair<std::string, std::string>> de{{"Cookie", "lang=de"}};
    EXPECT_EQ(get("/lang/page", fr).x_cache(), "MISS");
    EXPECT_EQ(get("/lang/page", de).x_cache(), "MISS");
    EXPECT_EQ(get("/lang/page", fr).x_cache(), "HIT");
    spawn("PUT", "/lang/page", {{"Content-Length", "0"}});
    run_all();
    EXPECT_EQ(get("/lang/page", fr).x_cache(), "MISS");
    EXPECT_EQ(get("/lang/page", de).x_cache(), "MISS");
}

TEST_F(PipelineTest, HitForPassThenACookielessVisitorRefillsTheKey) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    bool cookie = true;
    origin.respond = [&](const Sent&) {
        return cookie ? page("x", {{"Set-Cookie", "a=1"}}) : page("x");
    };
    EXPECT_EQ(get("/p/h").x_cache(), "MISS");  // refused: Set-Cookie, remembered
    EXPECT_EQ(get("/p/h").x_cache(), "HIT-FOR-PASS");
    cookie = false;  // the app stops setting cookies: a cookieless visitor refills the key
    EXPECT_EQ(get("/p/h").x_cache(), "HIT-FOR-PASS");
    EXPECT_EQ(get("/p/h").x_cache(), "HIT");
    EXPECT_EQ(store.stats().objects, 1u);
}

TEST_F(PipelineTest, ConditionalMissFetchesTheWholeObjectStoresItAndAnswers304) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) { return page("body", {{"ETag", "\"v1\""}}); };
    Response r = get("/p/c", {{"If-None-Match", "\"v1\""}});
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.x_cache(), "MISS");
    ASSERT_EQ(origin.sent.size(), 1u);
    EXPECT_FALSE(origin.sent[0].has("if-none-match"));  // the app was asked for the whole object
    Response next = get("/p/c");
    EXPECT_EQ(next.x_cache(), "HIT");
    EXPECT_EQ(next.body, "body");
    EXPECT_EQ(get("/p/c", {{"If-None-Match", "\"v1\""}}).status, 304);
    EXPECT_EQ(origin.sent.size(), 1u);
}

TEST_F(PipelineTest, RangesAreServedFromTheStoredObject) {
    config.rules.push_back(rule("files", "/f/", 60s));
    start();
    std::string body;
    for (int i = 0; i < 1000; ++i) body.push_back(static_cast<char>('a' + i % 26));
    origin.respond = [&](const Sent&) {  // the clock reads Tue, 14 Nov 2023 22:13:20 GMT
        return page(body, {{"ETag", "\"f1\""}, {"Last-Modified", "Tue, 14 Nov 2023 22:00:00 GMT"}});
    };
    Response first = get("/f/x", {{"Range", "bytes=0-99"}});  // a miss: whole object fetched
    EXPECT_EQ(first.status, 206);
    EXPECT_EQ(first.body, body.substr(0, 100));
    EXPECT_EQ(first.field("content-range"), "bytes 0-99/1000");
    EXPECT_EQ(first.field("content-length"), "100");
    EXPECT_FALSE(origin.sent[0].has("range"));
    Response middle = get("/f/x", {{"Range", "bytes=500-509"}});
    EXPECT_EQ(middle.status, 206);
    EXPECT_EQ(middle.x_cache(), "HIT");
    EXPECT_EQ(middle.body, body.substr(500, 10));
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=-10"}}).body, body.substr(990));
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=995-"}}).body, body.substr(995));
    Response beyond = get("/f/x", {{"Range", "bytes=2000-"}});
    EXPECT_EQ(beyond.status, 416);
    EXPECT_EQ(beyond.field("content-range"), "bytes */1000");
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=0-1,1-6"}}).status, 200);  // overlapping: the 200
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=0-9"}, {"If-Range", "\"f1\""}}).status, 206);
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=0-9"}, {"If-Range", "\"old\""}}).status, 200);
    EXPECT_EQ(get("/f/x", {{"Range", "bytes=0-9"}, {"If-Range", "W/\"f1\""}}).status, 200);
    EXPECT_EQ(
        get("/f/x", {{"Range", "bytes=0-9"}, {"If-Range", "Tue, 14 Nov 2023 22:00:00 GMT"}}).status,
        206);
    EXPECT_EQ(
        get("/f/x", {{"Range", "bytes=0-9"}, {"If-Range", "Tue, 14 Nov 2023 21:00:00 GMT"}}).status,
        200);
    Response head = spawn_and_run("HEAD", "/f/x", {{"Range", "bytes=0-9"}});
    EXPECT_EQ(head.status, 200);  // ranges are for GET only
    EXPECT_EQ(origin.sent.size(), 1u);
}

TEST_F(PipelineTest, SeveralRangesAreOneMultipartByterangesAnswer) {
    config.rules.push_back(rule("files", "/f/", 60s));
    start();
    std::string body;
    for (int i = 0; i < 1000; ++i) body.push_back(static_cast<char>('a' + i % 26));
    origin.respond = [&](const Sent&) { return page(body, {{"Content-Type", "video/mp4"}}); };
    Response r = get("/f/m", {{"Range", "bytes=500-509, 0-4"}});
    ASSERT_EQ(r.status, 206);
    const std::string type = r.field("content-type");
    ASSERT_TRUE(type.starts_with("multipart/byteranges; boundary=")) << type;
    EXPECT_FALSE(r.has("content-range"));
    const std::string boundary = type.substr(type.find('=') + 1);
    const std::string expected = "\r\n--" + boundary +
                                 "\r\nContent-Type: video/mp4\r\nContent-Range: bytes 500-509/1000"
                                 "\r\n\r\n" +
                                 body.substr(500, 10) + "\r\n--" + boundary +
                                 "\r\nContent-Type: video/mp4\r\nContent-Range: bytes 0-4/1000"
                                 "\r\n\r\n" +
                                 body.substr(0, 5) + "\r\n--" + boundary + "--\r\n";
    EXPECT_EQ(r.body, expected);
    EXPECT_EQ(r.field("content-length"), std::to_string(expected.size()));
    // One satisfiable range among unsatisfiable ones is a plain 206; none is a 416.
    Response one = get("/f/m", {{"Range", "bytes=5000-, 10-19"}});
    EXPECT_EQ(one.status, 206);
    EXPECT_EQ(one.field("content-range"), "bytes 10-19/1000");
    EXPECT_EQ(get("/f/m", {{"Range", "bytes=5000-, 6000-"}}).status, 416);
    // Too many ranges: the full 200, never a 17-part answer.
    std::string many = "bytes=";
    for (int i = 0; i < 17; ++i)
        many += std::to_string(i * 20) + "-" + std::to_string(i * 20 + 9) + ",";
    Response whole = get("/f/m", {{"Range", many}});
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.body, body);
    EXPECT_EQ(origin.sent.size(), 1u);
}

TEST_F(PipelineTest, RangeOfAnObjectTooLargeToStoreReachesTheApp) {
    config.rules.push_back(rule("files", "/f/", 60s));
    config.cache.max_object_size = 1000;
    start();
    origin.respond = [](const Sent& s) {
        if (s.has("range"))
            return Script{.status = 206,
                          .headers = {{"Content-Range", "bytes 0-9/5000"}},
                          .body = std::string(10, 'r')};
        return page(std::string(5000, 'w'));
    };
    // A miss fetches the whole object: not stored (too large), but this client's range is
    // answered from it.
    Response first = get("/f/big", {{"Range", "bytes=0-9"}});
    EXPECT_EQ(first.status, 206);
    EXPECT_EQ(first.body, std::string(10, 'w'));
    EXPECT_FALSE(origin.sent[0].has("range"));
    Response second = get("/f/big", {{"Range", "bytes=0-9"}});  // known too large: the app's 206
    EXPECT_EQ(second.status, 206);
    EXPECT_EQ(second.x_cache(), "HIT-FOR-PASS");
    EXPECT_EQ(origin.sent[1].field("range"), "bytes=0-9");
    EXPECT_EQ(get("/f/big", {{"Range", "bytes=0-9"}}).status, 206);  // a 206 is never stored
    EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(PipelineTest, PreconditionsAreAnsweredFromTheStoredObjectInRfcOrder) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        return page("body",
                    {{"ETag", "\"v1\""}, {"Last-Modified", "Tue, 14 Nov 2023 22:00:00 GMT"}});
    };
    Response failed = get("/p/c", {{"If-Match", "\"v0\""}});  // a miss: whole object, then 412
    EXPECT_EQ(failed.status, 412);
    EXPECT_FALSE(origin.sent[0].has("if-match"));
    EXPECT_EQ(get("/p/c", {{"If-Match", "\"v1\""}}).status, 200);
    EXPECT_EQ(get("/p/c", {{"If-Match", "W/\"v1\""}}).status, 412);  // strong comparison
    EXPECT_EQ(get("/p/c", {{"If-Match", "*"}}).status, 200);
    EXPECT_EQ(get("/p/c", {{"If-Unmodified-Since", "Tue, 14 Nov 2023 21:00:00 GMT"}}).status, 412);
    EXPECT_EQ(get("/p/c", {{"If-Unmodified-Since", "Tue, 14 Nov 2023 22:00:00 GMT"}}).status, 200);
    // If-Match wins over If-Unmodified-Since; If-None-Match over If-Modified-Since.
    EXPECT_EQ(get("/p/c", {{"If-Match", "\"v1\""},
                           {"If-Unmodified-Since", "Tue, 14 Nov 2023 21:00:00 GMT"}})
                  .status,
              200);
    EXPECT_EQ(get("/p/c", {{"If-None-Match", "W/\"v1\""}}).status, 304);  // weak comparison
    EXPECT_EQ(get("/p/c", {{"If-None-Match", "\"v2\""},
                           {"If-Modified-Since", "Tue, 14 Nov 2023 22:00:00 GMT"}})
                  .status,
              200);
    EXPECT_EQ(get("/p/c", {{"If-Modified-Since", "Tue, 14 Nov 2023 22:00:00 GMT"}}).status, 304);
    // A 304 beats a Range; a failed If-Range gets the whole 200.
    EXPECT_EQ(get("/p/c", {{"If-None-Match", "\"v1\""}, {"Range", "bytes=0-1"}}).status, 304);
    EXPECT_EQ(origin.sent.size(), 1u);
}

TEST_F(PipelineTest, OriginAgeCountsInFreshnessAndInTheAgeSent) {
    config.cache.default_policy = "http";
    start();
    origin.respond = [](const Sent&) {
        return page("aged", {{"Cache-Control", "max-age=3600"}, {"Age", "3000"}});
    };
    Response miss = get("/aged");
    EXPECT_EQ(miss.x_cache(), "MISS");
    EXPECT_EQ(miss.field("age"), "3000");
    clock.advance(100s);
    Response hit = get("/aged");
    EXPECT_EQ(hit.x_cache(), "HIT");
    EXPECT_EQ(hit.field("age"), "3100");
    clock.advance(500s);  // 3600 s old: stale, fetched again
    EXPECT_EQ(get("/aged").x_cache(), "MISS");
    EXPECT_EQ(origin.sent.size(), 2u);
}

TEST_F(PipelineTest, HeuristicFreshnessIsOnForTheHttpDefault) {
    config.cache.default_policy = "http";
    start();
    origin.respond = [](const Sent&) {  // modified 10 days before the clock: fresh for one day
        return page("old page", {{"Last-Modified", "Sat, 04 Nov 2023 22:13:20 GMT"}});
    };
    EXPECT_EQ(get("/lm").x_cache(), "MISS");
    clock.advance(23h);
    EXPECT_EQ(get("/lm").x_cache(), "HIT");
    clock.advance(2h);  // past the 10% (24 h) lifetime: revalidated
    EXPECT_NE(get("/lm").x_cache(), "HIT");
    EXPECT_EQ(origin.sent.size(), 2u);
}

TEST_F(PipelineTest, InterimResponsesReachTheClientButNeverTheStore) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        Script s = page("final", {{"Content-Type", "text/html"}});
        s.interim = {{103, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"},
                     {102, "HTTP/1.1 102 Processing\r\n\r\n"}};
        return s;
    };
    Response miss = get("/p/e");
    EXPECT_EQ(miss.interim, (std::vector<int>{103, 102}));
    EXPECT_EQ(miss.status, 200);
    EXPECT_FALSE(miss.has("link"));  // not merged into the final response
    Response hit = get("/p/e");
    EXPECT_EQ(hit.x_cache(), "HIT");
    EXPECT_TRUE(hit.interim.empty());
    EXPECT_FALSE(hit.has("link"));
    // An HTTP/1.0 client gets none.
    Response old = spawn_and_run("GET", "/p/e10", {}, {}, "HTTP/1.0");
    EXPECT_TRUE(old.interim.empty());
    EXPECT_EQ(old.status, 200);
}

TEST_F(PipelineTest, AnyTokenMethodReachesTheAppWithItsBodyAndInvalidates) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    EXPECT_EQ(get("/p/item").x_cache(), "MISS");
    EXPECT_EQ(get("/p/item").x_cache(), "HIT");
    Response ban = spawn_and_run("BAN", "/p/item", {}, "ban this");
    EXPECT_EQ(ban.status, 200);
    EXPECT_EQ(ban.x_cache(), "PASS");
    ASSERT_EQ(origin.sent.size(), 2u);
    EXPECT_EQ(origin.sent[1].method, "BAN");
    EXPECT_EQ(origin.sent[1].body, "ban this");
    EXPECT_EQ(get("/p/item").x_cache(), "MISS");  // unsafe: invalidated like POST
    // Safe methods do not invalidate.
    EXPECT_EQ(spawn_and_run("OPTIONS", "/p/item").x_cache(), "PASS");
    EXPECT_EQ(get("/p/item").x_cache(), "HIT");
    EXPECT_EQ(spawn_and_run("CONNECT", "example.com:443").status, 405);  // Larder's own answer
}

TEST_F(PipelineTest, PostAnswerWithContentLocationIsReusedForGetOnlyWhenConfigured) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    config.cache.store_post_responses = true;
    start();
    origin.respond = [](const Sent& s) {
        if (s.method == "POST")
            return page("state after post",
                        {{"Content-Location", "/p/doc"}, {"Cache-Control", "max-age=60"}});
        return page("from get");
    };
    EXPECT_EQ(spawn_and_run("POST", "/p/doc", {}, "x=1").body, "state after post");
    Response hit = get("/p/doc");
    EXPECT_EQ(hit.x_cache(), "HIT");
    EXPECT_EQ(hit.body, "state after post");
    EXPECT_EQ(origin.count("/p/doc"), 1u);
    // A POST with a cookie, without explicit freshness, or naming another URL: not stored (and
    // each one's invalidation removes what its URL had).
    origin.respond = [](const Sent& s) {
        if (s.target == "/p/other")
            return page("other",
                        {{"Content-Location", "/p/elsewhere"}, {"Cache-Control", "max-age=60"}});
        if (s.target == "/p/fresh") return page("no freshness", {{"Content-Location", "/p/fresh"}});
        return page("cookie post",
                    {{"Content-Location", "/p/doc"}, {"Cache-Control", "max-age=60"}});
    };
    spawn_and_run("POST", "/p/doc", {{"Cookie", "session=abc"}}, "x=2");
    spawn_and_run("POST", "/p/other", {}, "x=3");
    spawn_and_run("POST", "/p/fresh", {}, "x=4");
    EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(PipelineTest, PostAnswersAreNotStoredByDefault) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        return page("state", {{"Content-Location", "/p/doc"}, {"Cache-Control", "max-age=60"}});
    };
    spawn_and_run("POST", "/p/doc", {}, "x=1");
    EXPECT_EQ(get("/p/doc").x_cache(), "MISS");
}

TEST_F(PipelineTest, InvalidHostIs400BeforeAnyKey) {
    config.rules.push_back(rule("all", "/", 60s));
    start();
    for (std::string host : {"example.com/b", "example.com?x", "a@b", "a#b", "a b"}) {
        auto& c = calls.emplace_back();
        c.raw = "GET /c HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        c.parser = std::make_unique<http::RequestParser>(http::ParserLimits{});
        if (c.parser->parse(c.raw.data(), c.raw.size()) != http::RequestParser::State::Complete)
            continue;  // the parser may refuse it first: as good
        asio::co_spawn(
            io,
            [this, &c]() -> asio::awaitable<void> {
                c.keep_alive = co_await pipeline->handle(c.parser->request(), client, c.writer);
                c.response = Response::parse(c.writer.bytes);
            },
            asio::detached);
        run_all();
        EXPECT_EQ(c.response.status, 400) << host;
    }
    EXPECT_TRUE(origin.sent.empty());
    EXPECT_EQ(get("/c").status, 200);  // Host: example.com, [::1]:8080 style hosts stay fine
}

// --- purge (proxy::prepare_purge + cache::Store::purge) ---

TEST_F(PipelineTest, TagPurgeReachesObjectsTheAppTaggedAndTagsStayPrivate) {
    config.rules.push_back(rule("pages", "/p/", 600s));
    start();
    origin.respond = [](const Sent& s) {
        return page("page " + s.target, {{"Surrogate-Key", "product-1 all"}, {"xkey", "x"}});
    };
    Response first = get("/p/a");
    EXPECT_FALSE(first.has("surrogate-key"));  // Larder's, not the browser's
    EXPECT_FALSE(first.has("xkey"));
    get("/p/b");
    EXPECT_FALSE(get("/p/a").has("surrogate-key"));
    EXPECT_EQ(store.tagged("product-1"), 2u);
    auto prepared = proxy::prepare_purge(
        *rules, {.kind = cache::PurgeKind::Tag, .value = "product-1", .soft = false});
    ASSERT_TRUE(prepared.purge);
    EXPECT_EQ(store.purge(*prepared.purge, clock.now()).objects, 2u);
    EXPECT_EQ(get("/p/a").x_cache(), "MISS");
    EXPECT_EQ(origin.count("/p/a"), 2u);
}

TEST_F(PipelineTest, UrlPurgeNormalisesTheQueryAsTheStoringRuleDid) {
    auto r = rule("pages", "/p/", 600s);
    r.sort_query = true;
    config.rules.push_back(r);
    start();
    EXPECT_EQ(get("/p/q?b=2&a=1").x_cache(), "MISS");
    EXPECT_EQ(get("/p/q?a=1&b=2").x_cache(), "HIT");
    auto prepared = proxy::prepare_purge(
        *rules, {.kind = cache::PurgeKind::Url, .value = "HTTP://Example.COM/p/q?b=2&a=1"});
    ASSERT_TRUE(prepared.purge);
    EXPECT_EQ(store.purge(*prepared.purge, clock.now()).objects, 1u);
    EXPECT_EQ(get("/p/q?a=1&b=2").x_cache(), "MISS");
    EXPECT_FALSE(
        proxy::prepare_purge(*rules, {.kind = cache::PurgeKind::Url, .value = "/no/host"}).purge);
    EXPECT_EQ(
        proxy::prepare_purge(*rules, {.kind = cache::PurgeKind::Pattern, .value = "(("}).error,
        proxy::PurgeError::InvalidPattern);
}

TEST_F(PipelineTest, SoftPurgeServesStaleWhileOneRefreshRuns) {
    auto r = rule("pages", "/p/", 600s);
    r.grace = 60s;
    config.rules.push_back(r);
    start();
    int version = 0;
    origin.respond = [&](const Sent&) { return page("v" + std::to_string(++version)); };
    EXPECT_EQ(get("/p/s").body, "v1");
    auto prepared = proxy::prepare_purge(
        *rules, {.kind = cache::PurgeKind::Prefix, .value = "example.com/p/", .soft = true});
    ASSERT_TRUE(prepared.purge);
    EXPECT_EQ(store.purge(*prepared.purge, clock.now()).objects, 1u);
    Response stale = get("/p/s");
    EXPECT_EQ(stale.x_cache(), "STALE");
    EXPECT_EQ(stale.body, "v1");
    Response fresh = get("/p/s");
    EXPECT_EQ(fresh.x_cache(), "HIT");
    EXPECT_EQ(fresh.body, "v2");
    EXPECT_EQ(origin.sent.size(), 2u);
}

TEST_F(PipelineTest, ResponseCutBeforeTheClientHasAByteIs504AndNotStored) {
    // The app goes quiet halfway through a cacheable body (upstream_read_timeout): the client
    // gets 504 naming the limit, nothing is stored, and the next request reaches the app again.
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        Script s = page(std::string(1000, 'a'));
        s.body_error = upstream::UpstreamError::ReadTimeout;
        s.body_error_after = 500;
        return s;
    };
    Response r = get("/p/slow");
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(r.field("x-cache-reason"), "upstream_read_timeout");
    EXPECT_EQ(store.stats().objects, 0u);

    origin.respond = [](const Sent&) {
        Script s = page(std::string(1000, 'b'));
        s.body_error = upstream::UpstreamError::ResponseTimeout;  // the whole-response limit
        s.body_error_after = 999;
        return s;
    };
    r = get("/p/slow");
    EXPECT_EQ(r.status, 504);
    EXPECT_EQ(r.field("x-cache-reason"), "upstream_timeout");
    EXPECT_EQ(store.stats().objects, 0u);

    origin.respond = [](const Sent&) { return page("whole"); };
    EXPECT_EQ(get("/p/slow").x_cache(), "MISS");
    EXPECT_EQ(get("/p/slow").x_cache(), "HIT");
    EXPECT_EQ(origin.count("/p/slow"), 3u);
}

TEST_F(PipelineTest, ResponseCutMidRelayClosesTheConnection) {
    // Past buffer_size the body streams: once the head is out, a cut can only close the
    // connection. With a Content-Length the client sees the body is short; nothing is stored.
    config.rules.push_back(rule("pages", "/p/", 60s));
    config.upstream.buffer_size = 100;
    start();
    origin.respond = [](const Sent&) {
        Script s = page(std::string(1000, 'c'));
        s.body_error = upstream::UpstreamError::ReadTimeout;
        s.body_error_after = 300;
        return s;
    };
    spawn("GET", "/p/big");
    run_all();
    const Call& c = calls.back();
    EXPECT_EQ(c.response.status, 200);
    EXPECT_EQ(c.response.field("content-length"), "1000");
    EXPECT_LT(c.response.body.size(), 1000u);
    EXPECT_FALSE(c.keep_alive);
    EXPECT_FALSE(c.writer.aborted) << "the length already shows the cut";
    EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(PipelineTest, CloseDelimitedRelayCutIsAResetNotAnEnd) {
    // An HTTP/1.0 client gets a body without a length delimited by the close: a plain close
    // would pass the cut body off as whole, so the connection is reset.
    config.upstream.buffer_size = 100;
    start();  // no rules: a pass
    origin.respond = [](const Sent&) {
        Script s = page(std::string(1000, 'd'));
        s.no_length = true;
        s.body_error = upstream::UpstreamError::ClosedMidResponse;
        s.body_error_after = 300;
        return s;
    };
    spawn("GET", "/passed", {}, {}, {}, "HTTP/1.0");
    run_all();
    const Call& c = calls.back();
    EXPECT_EQ(c.response.status, 200);
    EXPECT_EQ(c.response.field("content-length"), "");
    EXPECT_EQ(c.response.field("transfer-encoding"), "");
    EXPECT_FALSE(c.keep_alive);
    EXPECT_TRUE(c.writer.aborted);
}

// --- content codings (docs/compression.md) ----------------------------------------------------

namespace {

std::string html_page(std::size_t size) {
    std::string s = "<!doctype html><title>menu</title>\n";
    for (unsigned i = 0; s.size() < size; ++i)
        s.append("<li class=\"dish\">dish ").append(std::to_string(i * 37 % 101)).append("</li>\n");
    s.resize(size);
    return s;
}

}  // namespace

TEST_F(PipelineTest, CompressibleResponseStoredOnceServedInEachCoding) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    const std::string body = html_page(40 * 1024);
    origin.respond = [&](const Sent&) {
        return page(body, {{"Content-Type", "text/html; charset=utf-8"}, {"ETag", "\"v1\""}});
    };
    Response br = get("/p/menu", {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(br.x_cache(), "MISS");
    EXPECT_EQ(br.field("content-encoding"), "br");
    EXPECT_EQ(br.field("vary"), "Accept-Encoding");
    EXPECT_EQ(br.field("etag"), "\"v1-br\"");
    EXPECT_EQ(br.field("content-length"), std::to_string(br.body.size()));
    EXPECT_EQ(coding::decompress(http::ContentCoding::Br, br.body, 1 << 20).body, body);
    ASSERT_EQ(origin.sent.size(), 1u);
    EXPECT_EQ(origin.sent[0].field("accept-encoding"), "gzip");  // the one spelling it sees

    Response gz = get("/p/menu", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(gz.x_cache(), "HIT");
    EXPECT_EQ(gz.field("content-encoding"), "gzip");
    EXPECT_EQ(gz.field("etag"), "\"v1-gzip\"");
    EXPECT_EQ(coding::decompress(http::ContentCoding::Gzip, gz.body, 1 << 20).body, body);

    Response plain = get("/p/menu");
    EXPECT_EQ(plain.x_cache(), "HIT");
    EXPECT_FALSE(plain.has("content-encoding"));
    EXPECT_EQ(plain.field("etag"), "\"v1\"");
    EXPECT_EQ(plain.field("vary"), "Accept-Encoding");
    EXPECT_EQ(plain.body, body);

    EXPECT_EQ(origin.count("/p/menu"), 1u);
    EXPECT_EQ(counters->encodings_made.load(), 2u);  // gzip and br, once
    EXPECT_EQ(counters->encoded_responses[static_cast<std::size_t>(http::ContentCoding::Br)].load(),
              1u);
    EXPECT_EQ(
        counters->encoded_responses[static_cast<std::size_t>(http::ContentCoding::Gzip)].load(),
        1u);
    EXPECT_EQ(counters->encoding_bytes_saved.load(),
              2 * body.size() - br.body.size() - gz.body.size());
}

TEST_F(PipelineTest, VaryAcceptEncodingIsCachedUnderARuleForEverySpelling) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        return page("short", {{"Content-Type", "text/plain"}, {"Vary", "Accept-Encoding"}});
    };
    EXPECT_EQ(get("/p/v", {{"Accept-Encoding", "gzip, deflate, br"}}).x_cache(), "MISS");
    for (std::string ae : {"gzip", "br", "identity", "GZIP, BR", "br;q=1.0, gzip;q=0.8, *;q=0.1",
                           "", "*", "deflate", "x-gzip"}) {
        Response r = get("/p/v", {{"Accept-Encoding", ae}});
        EXPECT_EQ(r.x_cache(), "HIT") << ae;
        EXPECT_EQ(r.body, "short");
    }
    EXPECT_EQ(origin.count("/p/v"), 1u);
}

TEST_F(PipelineTest, OriginGzipServedAsIsAndDecodedOnceForOthers) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    const std::string body = html_page(20 * 1024);
    const std::string gzipped = *coding::compress(http::ContentCoding::Gzip, body, {});
    origin.respond = [&](const Sent& s) {
        if (s.field("accept-encoding") == "gzip")
            return page(gzipped, {{"Content-Type", "text/html"},
                                  {"Content-Encoding", "gzip"},
                                  {"Vary", "Accept-Encoding"},
                                  {"ETag", "W/\"w1\""}});
        return page(body, {{"Content-Type", "text/html"}, {"Vary", "Accept-Encoding"}});
    };
    Response gz = get("/p/g", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(gz.x_cache(), "MISS");
    EXPECT_EQ(gz.field("content-encoding"), "gzip");
    EXPECT_EQ(gz.body, gzipped);  // the origin's bytes, as they came
    Response plain = get("/p/g", {{"Accept-Encoding", "identity"}});
    EXPECT_EQ(plain.x_cache(), "HIT");
    EXPECT_FALSE(plain.has("content-encoding"));
    EXPECT_EQ(plain.body, body);
    EXPECT_EQ(plain.field("etag"), "W/\"w1\"");  // weak: shared by the codings
    Response br = get("/p/g", {{"Accept-Encoding", "br"}});
    EXPECT_EQ(br.field("content-encoding"), "br");
    EXPECT_EQ(coding::decompress(http::ContentCoding::Br, br.body, 1 << 20).body, body);
    EXPECT_EQ(origin.count("/p/g"), 1u);
}

TEST_F(PipelineTest, CodedStrongEtagsComeBackInIfNoneMatch) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [&](const Sent&) {
        return page(html_page(8 * 1024), {{"Content-Type", "text/css"}, {"ETag", "\"e7\""}});
    };
    EXPECT_EQ(get("/p/c.css").x_cache(), "MISS");
    Response not_modified =
        get("/p/c.css", {{"Accept-Encoding", "gzip"}, {"If-None-Match", "\"e7-gzip\""}});
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_EQ(not_modified.field("etag"), "\"e7-gzip\"");
    // The identity's tag does not validate the gzip representation, nor the other way round.
    EXPECT_EQ(get("/p/c.css", {{"Accept-Encoding", "gzip"}, {"If-None-Match", "\"e7\""}}).status,
              200);
    EXPECT_EQ(get("/p/c.css", {{"If-None-Match", "\"e7-gzip\""}}).status, 200);
    EXPECT_EQ(get("/p/c.css", {{"If-None-Match", "\"e7\""}}).status, 304);
    EXPECT_EQ(origin.count("/p/c.css"), 1u);
}

TEST_F(PipelineTest, UndecodableOriginCodingIsPassedToItsVisitorAndNotStored) {
    config.rules.push_back(rule("pages", "/p/", 60s));
    start();
    origin.respond = [](const Sent&) {
        return page("\x28\xb5\x2f\xfd junk",
                    {{"Content-Type", "text/html"}, {"Content-Encoding", "zstd"}});
    };
    Response r = get("/p/z", {{"Accept-Encoding", "zstd, gzip"}});
    EXPECT_EQ(r.x_cache(), "MISS");
    EXPECT_EQ(r.field("x-cache-reason"), "encoding_unsupported");
    EXPECT_EQ(r.field("content-encoding"), "zstd");
    EXPECT_EQ(get("/p/z").x_cache(), "HIT-FOR-PASS");
    EXPECT_EQ(counters->cache_stores.load(), 0u);
}

TEST_F(PipelineTest, PassedResponsesAreCompressedOnTheFlyOnlyWhenConfigured) {
    const std::string body = html_page(16 * 1024);
    origin.respond = [&](const Sent&) {
        return page(body, {{"Content-Type", "text/html"}, {"ETag", "\"p1\""}});
    };
    config.compression.pass = true;
    start();
    Response gz = get("/account", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(gz.x_cache(), "PASS");
    EXPECT_EQ(gz.field("content-encoding"), "gzip");
    EXPECT_EQ(gz.field("etag"), "\"p1-gzip\"");
    EXPECT_EQ(gz.field("vary"), "Accept-Encoding");
    EXPECT_EQ(gz.field("content-length"), std::to_string(gz.body.size()));
    EXPECT_EQ(coding::decompress(http::ContentCoding::Gzip, gz.body, 1 << 20).body, body);
    // The client's own Accept-Encoding went to the app (a pass is not a shared fetch).
    EXPECT_EQ(origin.sent.back().field("accept-encoding"), "gzip");
    Response plain = get("/account");
    EXPECT_FALSE(plain.has("content-encoding"));
    EXPECT_EQ(plain.body, body);
    EXPECT_EQ(plain.field("etag"), "\"p1\"");
}

TEST_F(PipelineTest, PassedResponsesStayAsTheyCameByDefault) {
    const std::string body = html_page(16 * 1024);
    origin.respond = [&](const Sent&) { return page(body, {{"Content-Type", "text/html"}}); };
    start();
    Response r = get("/account", {{"Accept-Encoding", "gzip, br"}});
    EXPECT_EQ(r.x_cache(), "PASS");
    EXPECT_FALSE(r.has("content-encoding"));
    EXPECT_EQ(r.body, body);
}
