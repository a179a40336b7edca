// [cache] RFC 9111 settings and the rule action cache = "origin".
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

Config load(std::string_view body) {
    return load_string(with_upstream(body), "test.toml");
}

TEST(HttpCacheConfig, Defaults) {
    Config c = load("");
    EXPECT_FALSE(c.cache.heuristic.has_value());
    EXPECT_DOUBLE_EQ(config::heuristic_fraction(c.cache), 0.0);
    EXPECT_FALSE(c.cache.honor_client_no_cache.has_value());
    EXPECT_FALSE(honors_client_no_cache(c.cache));  // default = "pass"
    EXPECT_TRUE(c.cache.honor_client_max_stale);
    EXPECT_EQ(c.cache.max_variants, 8u);
    EXPECT_TRUE(c.cache.targeted_cache_control);
    EXPECT_TRUE(c.cache.strip_targeted_headers);
    EXPECT_FALSE(c.cache.store_post_responses);
}

TEST(HttpCacheConfig, HonorNoCacheFollowsDefaultPolicy) {
    EXPECT_TRUE(honors_client_no_cache(load("[cache]\ndefault = \"http\"\n").cache));
    EXPECT_FALSE(honors_client_no_cache(
        load("[cache]\ndefault = \"http\"\nhonor_client_no_cache = false\n").cache));
    EXPECT_TRUE(honors_client_no_cache(load("[cache]\nhonor_client_no_cache = true\n").cache));
}

TEST(HttpCacheConfig, EverySetting) {
    Config c = load(
        "[cache]\nheuristic = \"10%\"\nhonor_client_max_stale = false\nmax_variants = 0\n"
        "targeted_cache_control = false\nstrip_targeted_headers = false\n"
        "store_post_responses = true\n");
    EXPECT_DOUBLE_EQ(c.cache.heuristic.value_or(-1), 0.10);
    EXPECT_FALSE(c.cache.honor_client_max_stale);
    EXPECT_EQ(c.cache.max_variants, 0u);
    EXPECT_FALSE(c.cache.targeted_cache_control);
    EXPECT_FALSE(c.cache.strip_targeted_headers);
    EXPECT_TRUE(c.cache.store_post_responses);
}

TEST(HttpCacheConfig, HeuristicIsTenPercentUnderHttpDefaultUnlessTurnedOff) {
    Config http = load("[cache]\ndefault = \"http\"\n");
    EXPECT_DOUBLE_EQ(heuristic_fraction(http.cache), 0.10);
    EXPECT_EQ(http.cache.heuristic_max, std::chrono::hours(24));
    EXPECT_DOUBLE_EQ(
        heuristic_fraction(load("[cache]\ndefault = \"http\"\nheuristic = \"off\"\n").cache), 0.0);
    Config capped = load("[cache]\ndefault = \"http\"\nheuristic_max = \"2h\"\n");
    EXPECT_EQ(capped.cache.heuristic_max, std::chrono::hours(2));
    auto e = error_of(with_upstream("[cache]\nheuristic_max = \"soon\"\n"));
    EXPECT_NE(std::string(e.what()).find("cache.heuristic_max"), std::string::npos);
}

TEST(HttpCacheConfig, HeuristicForms) {
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = \"2.5%\"\n").cache.heuristic.value_or(-1), 0.025);
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = \"100%\"\n").cache.heuristic.value_or(-1), 1.0);
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = \"0%\"\n").cache.heuristic.value_or(-1), 0.0);
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = \"off\"\n").cache.heuristic.value_or(-1), 0.0);
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = 0.2\n").cache.heuristic.value_or(-1), 0.2);
    EXPECT_DOUBLE_EQ(load("[cache]\nheuristic = 0\n").cache.heuristic.value_or(-1), 0.0);
}

TEST(HttpCacheConfig, HeuristicErrors) {
    for (const char* bad :
         {"\"10\"", "\"-5%\"", "\"101%\"", "\"%\"", "\"1.2.3%\"", "\"ten%\"", "1.5", "5", "true"}) {
        auto e = error_of(with_upstream(std::string("[cache]\nheuristic = ") + bad + "\n"));
        EXPECT_NE(std::string(e.what()).find("cache.heuristic"), std::string::npos) << bad;
        EXPECT_NE(std::string(e.what()).find("percentage"), std::string::npos) << bad;
    }
}

TEST(HttpCacheConfig, MaxVariantsRange) {
    auto e = error_of(with_upstream("[cache]\nmax_variants = -1\n"));
    EXPECT_NE(std::string(e.what()).find("max_variants"), std::string::npos);
    e = error_of(with_upstream("[cache]\nmax_variants = 5000\n"));
    EXPECT_NE(std::string(e.what()).find("max_variants"), std::string::npos);
}

TEST(HttpCacheConfig, BooleansMustBeBooleans) {
    auto e = error_of(with_upstream("[cache]\ntargeted_cache_control = \"yes\"\n"));
    EXPECT_NE(std::string(e.what()).find("targeted_cache_control"), std::string::npos);
}

TEST(HttpCacheConfig, RuleCacheOrigin) {
    Config c = load("[[rules]]\nname = \"o\"\npath_prefix = \"/api/\"\ncache = \"origin\"\n");
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_TRUE(c.rules[0].ttl_from_origin);
    EXPECT_FALSE(c.rules[0].ttl.has_value());
    EXPECT_FALSE(c.rules[0].pass);
}

TEST(HttpCacheConfig, RuleCacheOriginAndPassConflict) {
    auto e = error_of(with_upstream("[[rules]]\nname = \"o\"\ncache = \"origin\"\npass = true\n"));
    EXPECT_NE(std::string(e.what()).find("not both"), std::string::npos);
}

TEST(HttpCacheConfig, RuleCacheOtherWordIsADurationError) {
    auto e = error_of(with_upstream("[[rules]]\nname = \"o\"\ncache = \"forever\"\n"));
    EXPECT_NE(std::string(e.what()).find("rules[0].cache"), std::string::npos);
}

}  // namespace
}  // namespace larder::config
