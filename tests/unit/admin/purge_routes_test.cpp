// POST /purge without sockets: the JSON body, each kind reaching the store, the counters, and
// every refusal with its stable error name.
#include "larder/admin/purge_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "larder/config/config.hpp"

namespace larder::admin {
namespace {

using namespace std::chrono_literals;

struct PurgeRoutesTest : ::testing::Test {
    config::Config config = [] {
        config::Config c;
        config::RuleConfig r;
        r.name = "pages";
        r.path_prefixes = {"/"};
        r.ttl = 60s;
        r.sort_query = true;
        c.rules.push_back(r);
        return c;
    }();
    rules::RuleSet rules{config};
    cache::Store store{[] {
        cache::StoreLimits l;
        l.max_pending_purges = 3;
        return l;
    }()};
    obs::ManualClock clock;
    obs::PurgeCounters counters;
    PurgeSources sources{.rules = rules, .store = store, .clock = clock, .counters = counters};

    void put(std::string path, std::string query = "", std::string tags = "") {
        cache::ObjectDraft o;
        o.key = "example.com" + path + (query.empty() ? "" : "?" + query);
        o.url = "http://example.com" + path;
        o.url_query = query;
        o.rule_name = "pages";
        o.tags = std::move(tags);
        o.expires_at = clock.now() + 60s;
        ASSERT_TRUE(store.insert(cache::Object::make(o)));
    }
    AdminResponse post(std::string body) {
        AdminRequest r;
        r.method = "POST";
        r.path = "/purge";
        r.peer = "127.0.0.1";
        r.body = std::move(body);
        return handle_purge(r, sources);
    }
    static boost::json::object json(const AdminResponse& r) {
        return boost::json::parse(r.body).as_object();
    }
};

TEST_F(PurgeRoutesTest, AnAppliedPurgeIsHandedOnARefusedOneIsNot) {
    std::vector<proxy::PurgeOrder> handed;
    sources.on_applied = [&handed](const proxy::PurgeOrder& o) { handed.push_back(o); };
    EXPECT_EQ(post(R"({"tag": "t1", "soft": true})").status, 200);
    EXPECT_EQ(post(R"({"tag": 7})").status, 400);
    ASSERT_EQ(handed.size(), 1u);
    EXPECT_EQ(handed[0].kind, cache::PurgeKind::Tag);
    EXPECT_EQ(handed[0].value, "t1");
    EXPECT_TRUE(handed[0].soft);
    for (int i = 0; i < 5; ++i) post(R"({"tag": "x"})");  // past max_pending_purges: 429
    EXPECT_EQ(handed.size(), 3u);  // 3 remembered at once, the others refused and not handed on
}

TEST_F(PurgeRoutesTest, EachKindPurgesAndIsCounted) {
    put("/a", "x=1&y=2");
    put("/b", "", "t1 t2");
    put("/blog/c");
    AdminResponse r = post(R"({"url": "http://EXAMPLE.com/a?y=2&x=1"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json(r).at("purged").as_int64(), 1);
    EXPECT_EQ(json(r).at("kind").as_string(), "url");
    EXPECT_EQ(json(post(R"({"tag": "t2", "soft": true})")).at("purged").as_int64(), 1);
    EXPECT_EQ(json(post(R"({"prefix": "example.com/blog/"})")).at("purged").as_int64(), 1);
    EXPECT_EQ(counters.purges[static_cast<std::size_t>(obs::PurgeKind::Url)].load(), 1u);
    EXPECT_EQ(counters.purges[static_cast<std::size_t>(obs::PurgeKind::Tag)].load(), 1u);
    EXPECT_EQ(counters.objects.load(), 3u);
}

TEST_F(PurgeRoutesTest, RefusalsNameTheirReason) {
    auto error = [&](std::string body, int status) {
        AdminResponse r = post(std::move(body));
        EXPECT_EQ(r.status, status) << r.body;
        return std::string(json(r).at("error").as_string());
    };
    EXPECT_EQ(error("not json", 400), "invalid_body");
    EXPECT_EQ(error("[]", 400), "invalid_body");
    EXPECT_EQ(error("{}", 400), "invalid_body");
    EXPECT_EQ(error(R"({"url": "http://a/", "tag": "b"})", 400), "invalid_body");
    EXPECT_EQ(error(R"({"url": 7})", 400), "invalid_body");
    EXPECT_EQ(error(R"({"url": "http://a/", "soft": "yes"})", 400), "invalid_body");
    EXPECT_EQ(error(R"({"url": "http://a/", "hard": true})", 400), "invalid_body");
    EXPECT_EQ(error(R"({"url": "no-path"})", 400), "invalid_url");
    EXPECT_EQ(error(R"({"pattern": "(("})", 400), "invalid_pattern");
    EXPECT_EQ(error(R"({"tag": "a b"})", 400), "invalid_tag");
    EXPECT_EQ(error(R"({"prefix": ""})", 400), "empty_prefix");
    EXPECT_EQ(counters.objects.load(), 0u);
    for (int i = 0; i < 3; ++i) post(R"({"tag": "x"})");  // max_pending_purges = 3
    EXPECT_EQ(error(R"({"tag": "x"})", 429), "too_many_pending_purges");
}

}  // namespace
}  // namespace larder::admin
