// Vary normalisation, secondary keys, and the store's variant index.
#include "larder/cache/vary.hpp"

#include <gtest/gtest.h>

#include "http_test_util.hpp"
#include "larder/cache/store.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;
using testing::Headers;

TEST(Vary, Normalise) {
    Headers h;
    EXPECT_EQ(normalise_vary(h), "");
    h.add("Vary", " Accept-Language ,accept-encoding").add("vary", "ACCEPT-ENCODING, X-Foo");
    // Accept-Encoding never splits: every coding is in the one object (encodings.hpp).
    EXPECT_EQ(normalise_vary(h), "accept-language,x-foo");
    Headers only_encoding;
    only_encoding.add("Vary", "Accept-Encoding");
    EXPECT_EQ(normalise_vary(only_encoding), "");
    Headers star;
    star.add("Vary", "Accept").add("Vary", "*");
    EXPECT_EQ(normalise_vary(star), "*");
    EXPECT_TRUE(vary_star(normalise_vary(star)));
    Headers empty;
    empty.add("Vary", " , ");
    EXPECT_EQ(normalise_vary(empty), "");
}

TEST(Vary, SecondaryKeyWhitespaceAndCaseOfNames) {
    Headers a, b;
    a.add("Accept-Language", "en-GB,   fr");
    b.add("accept-language", "  en-GB , fr ");
    EXPECT_EQ(secondary_key("accept-language", a), secondary_key("accept-language", b));
    Headers c;
    c.add("Accept-Language", "fr, en-GB");
    EXPECT_NE(secondary_key("accept-language", a), secondary_key("accept-language", c));
}

TEST(Vary, AcceptEncodingSpellingsNeverMakeVariants) {
    Headers vary;
    vary.add("Vary", "accept-encoding, Accept-Language");
    const std::string normalised = normalise_vary(vary);
    Headers a, b;
    a.add("Accept-Encoding", "gzip, deflate, br").add("Accept-Language", "en");
    b.add("Accept-Encoding", "identity").add("Accept-Language", "en");
    EXPECT_EQ(secondary_key(normalised, a), secondary_key(normalised, b));
}

TEST(Vary, SeveralLinesCombine) {
    Headers a, b;
    a.add("X-A", "1").add("X-A", "2");
    b.add("X-A", "1, 2");
    EXPECT_EQ(secondary_key("x-a", a), secondary_key("x-a", b));
}

TEST(Vary, AbsentDiffersFromEmpty) {
    Headers absent, empty;
    empty.add("X-A", "");
    EXPECT_NE(secondary_key("x-a", absent), secondary_key("x-a", empty));
}

TEST(Vary, SeveralNames) {
    Headers a, b;
    a.add("Accept-Charset", "utf-8").add("Accept-Language", "en");
    b.add("Accept-Language", "en").add("Accept-Charset", "utf-8");
    EXPECT_EQ(secondary_key("accept-charset,accept-language", a),
              secondary_key("accept-charset,accept-language", b));
    Headers c;
    c.add("Accept-Charset", "utf-8").add("Accept-Language", "de");
    EXPECT_NE(secondary_key("accept-charset,accept-language", a),
              secondary_key("accept-charset,accept-language", c));
}

TEST(Vary, VariantKey) {
    const std::string k = variant_key("http://h/p", "\x1f=en");
    EXPECT_EQ(k, std::string("http://h/p\x1e\x1f=en"));
    EXPECT_EQ(primary_of(k), "http://h/p");
    EXPECT_EQ(primary_of("http://h/p"), "http://h/p");
}

// --- store ---

struct VariantStoreTest : ::testing::Test {
    obs::ManualClock clock;
    StoreLimits limits = [] {
        StoreLimits l;
        l.max_size = 64 * 1024 * 1024;
        l.max_variants = 3;
        return l;
    }();
    Store store{limits};

    ObjectPtr make(std::string key, std::string vary, std::string body = "b") {
        ObjectDraft o;
        o.key = std::move(key);
        o.head = "HTTP/1.1 200 OK\r\n";
        o.body = std::move(body);
        o.stored_at = clock.now();
        o.expires_at = clock.now() + 60s;
        o.meta.parsed = true;
        o.meta.vary = std::move(vary);
        return Object::make(o);
    }
    ObjectPtr variant(std::string_view lang, std::string vary = "accept-language") {
        Headers req;
        req.add("Accept-Language", std::string(lang));
        return make(variant_key("P", secondary_key(vary, req)), vary, std::string(lang));
    }
    ObjectPtr get(std::string_view lang) {
        Headers req;
        req.add("Accept-Language", std::string(lang));
        return store.lookup("P", req, clock.now());
    }
};

TEST_F(VariantStoreTest, VariantsSelectedByRequestHeaders) {
    ASSERT_TRUE(store.insert(variant("en")));
    ASSERT_TRUE(store.insert(variant("fr")));
    EXPECT_EQ(store.variant_count("P"), 2u);
    ASSERT_TRUE(get("en"));
    EXPECT_EQ(get("en")->body(), "en");
    EXPECT_EQ(get("fr")->body(), "fr");
    EXPECT_FALSE(get("de"));
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, PlainObjectWithoutIndexIsFoundByPrimary) {
    ASSERT_TRUE(store.insert(make("P", "")));
    EXPECT_TRUE(get("en"));
    Headers none;
    EXPECT_EQ(store.resolve_variant("P", none), "P");
}

TEST_F(VariantStoreTest, VariantReplacesPlainAndPlainReplacesVariants) {
    ASSERT_TRUE(store.insert(make("P", "")));
    ASSERT_TRUE(store.insert(variant("en")));
    EXPECT_FALSE(store.lookup("P", clock.now()));  // the plain object is gone
    EXPECT_TRUE(get("en"));
    EXPECT_TRUE(store.check_invariants());
    ASSERT_TRUE(store.insert(make("P", "")));
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_EQ(store.stats().objects, 1u);
    EXPECT_EQ(get("fr")->body(), "b");
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, CapDropsOldestVariant) {
    for (auto lang : {"a", "b", "c", "d"}) ASSERT_TRUE(store.insert(variant(lang)));
    EXPECT_EQ(store.variant_count("P"), 3u);
    EXPECT_FALSE(get("a"));
    EXPECT_TRUE(get("b"));
    EXPECT_TRUE(get("d"));
    EXPECT_EQ(store.stats().objects, 3u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, ReinsertingAVariantDoesNotGrowTheList) {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.insert(variant("en")));
    EXPECT_EQ(store.variant_count("P"), 1u);
    EXPECT_EQ(store.stats().objects, 1u);
}

TEST_F(VariantStoreTest, ChangedVaryDropsOldVariants) {
    ASSERT_TRUE(store.insert(variant("en")));
    ASSERT_TRUE(store.insert(variant("fr")));
    Headers req;
    req.add("Accept-Encoding", "gzip");
    ASSERT_TRUE(store.insert(
        make(variant_key("P", secondary_key("accept-encoding", req)), "accept-encoding", "gz")));
    EXPECT_EQ(store.variant_count("P"), 1u);
    EXPECT_EQ(store.lookup("P", req, clock.now())->body(), "gz");
    EXPECT_EQ(store.stats().objects, 1u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, EraseOfPrimaryErasesVariants) {
    ASSERT_TRUE(store.insert(variant("en")));
    ASSERT_TRUE(store.insert(variant("fr")));
    EXPECT_TRUE(store.erase("P"));
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_EQ(store.stats().objects, 0u);
    EXPECT_FALSE(store.erase("P"));
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, EraseOneVariant) {
    ASSERT_TRUE(store.insert(variant("en")));
    auto fr = variant("fr");
    ASSERT_TRUE(store.insert(fr));
    EXPECT_TRUE(store.erase(fr->key()));
    EXPECT_EQ(store.variant_count("P"), 1u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, ErasePrefixCleansIndex) {
    ASSERT_TRUE(store.insert(variant("en")));
    EXPECT_EQ(store.erase_prefix("P"), 1u);
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, ExpiredVariantsArePruned) {
    ASSERT_TRUE(store.insert(variant("en")));
    clock.advance(61s);
    EXPECT_FALSE(get("en"));  // removed as expired, index entry forgotten
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(VariantStoreTest, VariantsDisabled) {
    StoreLimits l = limits;
    l.max_variants = 0;
    Store none(l);
    EXPECT_FALSE(none.insert(variant("en")));
    EXPECT_TRUE(none.insert(make("P", "")));
}

TEST_F(VariantStoreTest, EvictionCleansIndex) {
    StoreLimits l;
    l.shards = 1;
    l.max_objects = 2;
    l.max_variants = 8;
    Store small(l);
    ASSERT_TRUE(small.insert(variant("a")));
    ASSERT_TRUE(small.insert(variant("b")));
    ASSERT_TRUE(small.insert(make("Q", "")));  // evicts variant a
    EXPECT_EQ(small.variant_count("P"), 1u);
    EXPECT_TRUE(small.check_invariants());
}

TEST_F(VariantStoreTest, VariantsShareTheirPrimarysShard) {
    StoreLimits l;
    l.shards = 16;
    l.max_variants = 8;
    Store sharded(l);
    for (int i = 0; i < 50; ++i) {
        Headers req;
        req.add("Accept-Language", "l" + std::to_string(i));
        const std::string primary = "K" + std::to_string(i);
        ASSERT_TRUE(sharded.insert(
            make(variant_key(primary, secondary_key("accept-language", req)), "accept-language")));
        EXPECT_TRUE(sharded.lookup(primary, req, clock.now())) << i;
    }
    EXPECT_TRUE(sharded.check_invariants());
}

}  // namespace
}  // namespace larder::cache
