// Store::purge: URL, tag, prefix and pattern purges, hard and soft; the ban list that vets
// fetches in flight; lookups that meet objects a sweep has not reached; retirement.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>

#include "larder/cache/purge.hpp"
#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

struct PurgeTest : ::testing::Test {
    obs::ManualClock clock;
    StoreLimits limits = [] {
        StoreLimits l;
        l.max_size = 256 * 1024 * 1024;
        l.shards = 4;
        l.purge_window = 10s;
        return l;
    }();
    std::unique_ptr<Store> store = std::make_unique<Store>(limits);

    ObjectPtr make(std::string path, std::string tags = "", std::uint64_t epoch = 0) const {
        ObjectDraft o;
        o.key = "example.com" + path;
        o.url = "http://example.com" + path;
        o.head = "HTTP/1.1 200 OK\r\n";
        o.body = "page " + path;
        o.stored_at = clock.now();
        o.expires_at = clock.now() + 3600s;
        o.grace_until = o.expires_at + 60s;
        o.tags = std::move(tags);
        o.epoch = epoch;
        return Object::make(o);
    }
    Lookup look(const std::string& path) {
        http::HeaderList none;
        return store->lookup_or_join(
            Key::from("example.com" + path), none, [](const Object&) { return Usability::Fresh; },
            clock.now());
    }
    Lookup::Kind kind(const std::string& path) {
        Lookup l = look(path);
        if (l.flight) store->hand_over(l.flight, nullptr);
        return l.kind;
    }
    static Purge url(std::string u, bool soft = false) {
        Purge p{.kind = PurgeKind::Url, .soft = soft, .subject = u, .matches = {}};
        p.matches = [u](const Object& o) { return o.url() == u; };
        return p;
    }
    static Purge tag(std::string t, bool soft = false) {
        Purge p{.kind = PurgeKind::Tag, .soft = soft, .subject = t, .matches = {}};
        p.matches = [t](const Object& o) {
            std::string_view all = o.tags();
            for (std::size_t at = 0; at <= all.size();) {
                auto end = all.find(' ', at);
                if (end == std::string_view::npos) end = all.size();
                if (all.substr(at, end - at) == t) return true;
                at = end + 1;
            }
            return false;
        };
        return p;
    }
    static Purge prefix(std::string text, bool soft = false) {
        Purge p{.kind = PurgeKind::Prefix, .soft = soft, .subject = text, .matches = {}};
        p.matches = [text](const Object& o) { return purge_subject(o).starts_with(text); };
        return p;
    }
};

TEST_F(PurgeTest, UrlPurgeRemovesEveryObjectOfTheUrlAndCountsThem) {
    store->insert(make("/a"));
    store->insert(make("/b"));
    PurgeResult r = store->purge(url("http://example.com/a"), clock.now());
    EXPECT_EQ(r.refusal, PurgeRefusal::None);
    EXPECT_EQ(r.objects, 1u);
    EXPECT_EQ(kind("/a"), Lookup::Kind::Leader);
    EXPECT_EQ(kind("/b"), Lookup::Kind::Hit);
    EXPECT_TRUE(store->check_invariants());
}

TEST_F(PurgeTest, TagPurgeRemovesTaggedObjectsOnEveryShard) {
    for (int i = 0; i < 100; ++i)
        store->insert(make("/p" + std::to_string(i), i % 10 == 0 ? "product-1 all" : "all"));
    EXPECT_EQ(store->tagged("product-1"), 10u);
    EXPECT_EQ(store->tagged("all"), 100u);
    PurgeResult r = store->purge(tag("product-1"), clock.now());
    EXPECT_EQ(r.objects, 10u);
    EXPECT_EQ(store->tagged("product-1"), 0u);
    EXPECT_EQ(store->tagged("all"), 90u);  // the purged objects' other tags went with them
    EXPECT_EQ(kind("/p0"), Lookup::Kind::Leader);
    EXPECT_EQ(kind("/p1"), Lookup::Kind::Hit);
    EXPECT_TRUE(store->check_invariants());
    EXPECT_EQ(store->purge(tag("all"), clock.now()).objects, 90u);
    EXPECT_EQ(store->stats().objects, 0u);
    EXPECT_TRUE(store->check_invariants());
}

TEST_F(PurgeTest, TagsAreChargedAndEvictionUnlinksThem) {
    auto tagged = make("/t", "a b c");
    auto plain = make("/t");
    EXPECT_GT(tagged->charge(), plain->charge() + 3 * sizeof(void*));
    StoreLimits small = limits;
    small.shards = 1;
    small.max_size = 8 * tagged->charge();
    Store tiny(small);
    for (int i = 0; i < 100; ++i) tiny.insert(make("/e" + std::to_string(i), "a b c"));
    EXPECT_LE(tiny.stats().objects, 8u);
    EXPECT_EQ(tiny.tagged("a"), tiny.stats().objects);
    EXPECT_TRUE(tiny.check_invariants());
}

TEST_F(PurgeTest, SoftPurgeKeepsTheObjectForGraceOnly) {
    store->insert(make("/s"));
    PurgeResult r = store->purge(url("http://example.com/s", true), clock.now());
    EXPECT_EQ(r.objects, 1u);
    Lookup l = look("/s");
    EXPECT_EQ(l.kind, Lookup::Kind::Grace);  // served stale while one refresh runs
    ASSERT_TRUE(l.flight);
    EXPECT_EQ(look("/s").kind, Lookup::Kind::Grace);  // no second refresh
    store->hand_over(l.flight, nullptr);
    clock.advance(3600s + 61s);  // past grace: no longer served
    EXPECT_NE(kind("/s"), Lookup::Kind::Grace);
    EXPECT_TRUE(store->check_invariants());
}

TEST_F(PurgeTest, PrefixPurgeSweepsAndCounts) {
    for (int i = 0; i < 50; ++i) store->insert(make("/blog/" + std::to_string(i)));
    for (int i = 0; i < 50; ++i) store->insert(make("/shop/" + std::to_string(i)));
    PurgeResult r = store->purge(prefix("example.com/blog/"), clock.now());
    EXPECT_EQ(r.objects, 50u);
    EXPECT_EQ(store->stats().objects, 50u);
    EXPECT_EQ(kind("/shop/3"), Lookup::Kind::Hit);
    EXPECT_TRUE(store->check_invariants());
}

TEST_F(PurgeTest, AFetchThatBeganBeforeAPurgeIsNotStoredAfterIt) {
    const std::uint64_t epoch = store->purge_epoch();  // the fetch begins
    store->purge(url("http://example.com/race"), clock.now());
    EXPECT_FALSE(store->insert(make("/race", "", epoch)));  // ...and ends after the purge
    EXPECT_EQ(kind("/race"), Lookup::Kind::Leader);
    // One that began after the purge is stored.
    EXPECT_TRUE(store->insert(make("/race", "", store->purge_epoch())));
    EXPECT_EQ(kind("/race"), Lookup::Kind::Hit);
    // Through a flight too (the leader's complete()).
    const std::uint64_t before = store->purge_epoch();
    Lookup leader = look("/race2");
    ASSERT_EQ(leader.kind, Lookup::Kind::Leader);
    store->purge(tag("t"), clock.now());
    EXPECT_FALSE(store->complete(leader.flight, make("/race2", "t", before), false, clock.now()));
    EXPECT_EQ(kind("/race2"), Lookup::Kind::Leader);
    EXPECT_TRUE(store->check_invariants());
}

TEST_F(PurgeTest, ASoftPurgeDuringAFetchStoresTheObjectSoftened) {
    const std::uint64_t epoch = store->purge_epoch();
    store->purge(url("http://example.com/soft-race", true), clock.now());
    EXPECT_TRUE(store->insert(make("/soft-race", "", epoch)));
    Lookup l = look("/soft-race");
    EXPECT_EQ(l.kind, Lookup::Kind::Grace);
    if (l.flight) store->hand_over(l.flight, nullptr);
}

TEST_F(PurgeTest, PurgesRetireAfterTheWindowAndAreBounded) {
    StoreLimits few = limits;
    few.max_pending_purges = 2;
    Store s(few);
    EXPECT_EQ(s.purge(url("http://example.com/1"), clock.now()).refusal, PurgeRefusal::None);
    EXPECT_EQ(s.purge(url("http://example.com/2"), clock.now()).refusal, PurgeRefusal::None);
    EXPECT_EQ(s.purge(url("http://example.com/3"), clock.now()).refusal,
              PurgeRefusal::TooManyPending);
    EXPECT_EQ(s.retire_purges(clock.now()), 0u);  // the window has not passed
    clock.advance(11s);
    EXPECT_EQ(s.retire_purges(clock.now()), 2u);
    EXPECT_EQ(s.pending_purges(), 0u);
    EXPECT_EQ(s.purge(url("http://example.com/3"), clock.now()).refusal, PurgeRefusal::None);
}

TEST_F(PurgeTest, TagPurgeOfAThousandAmongManyIsProportionalToWhatItRemoves) {
    // Not a timing assertion: the work done is counted by the objects left.
    for (int i = 0; i < 20000; ++i)
        store->insert(make("/m" + std::to_string(i), i % 20 == 0 ? "hot" : "cold"));
    EXPECT_EQ(store->purge(tag("hot"), clock.now()).objects, 1000u);
    EXPECT_EQ(store->stats().objects, 19000u);
    EXPECT_EQ(store->tagged("cold"), 19000u);
    EXPECT_TRUE(store->check_invariants());
}

}  // namespace
}  // namespace larder::cache
