// Store::lookup_or_join and the per-key entry: every Lookup kind, flights per variant, waiters,
// hit-for-pass markers, the entry's lifetime, the URL index, CLOCK eviction and the allocation-free
// hit. ManualClock only; no sleeps, no threads (store_stress_test.cpp has those).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "counting_new.hpp"
#include "http_test_util.hpp"
#include "larder/cache/store.hpp"
#include "larder/cache/vary.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;
using testing::Headers;
using Kind = Lookup::Kind;

struct LookupTest : ::testing::Test {
    obs::ManualClock clock;
    StoreLimits limits = [] {
        StoreLimits l;
        l.max_size = 64 * 1024 * 1024;
        l.max_variants = 4;
        l.uncacheable_ttl = 30s;
        return l;
    }();
    Store store{limits};
    Headers none;

    // The rule-TTL judgement the proxy makes: fresh, then grace, then kept for errors.
    Usability judge(const Object& o) const {
        const auto now = clock.now();
        if (o.fresh(now)) return Usability::Fresh;
        if (o.servable_in_grace(now)) return Usability::Grace;
        return Usability::Stale;
    }
    Lookup lookup(const Key& key, const http::HeaderList& headers) {
        return store.lookup_or_join(
            key, headers, [this](const Object& o) { return judge(o); }, clock.now());
    }
    Lookup lookup(const Key& key) { return lookup(key, none); }

    ObjectDraft draft(std::string key, std::string body = "b", std::chrono::seconds ttl = 60s,
                      std::chrono::seconds grace = 0s, std::chrono::seconds on_error = 0s) const {
        ObjectDraft o;
        o.key = std::move(key);
        o.head = "HTTP/1.1 200 OK\r\n";
        o.body = std::move(body);
        o.stored_at = clock.now();
        o.expires_at = clock.now() + ttl;
        o.grace_until = o.expires_at + grace;
        o.error_until = o.expires_at + on_error;
        return o;
    }
    ObjectPtr make(std::string key, std::string body = "b", std::chrono::seconds ttl = 60s,
                   std::chrono::seconds grace = 0s, std::chrono::seconds on_error = 0s) const {
        return Object::make(draft(std::move(key), std::move(body), ttl, grace, on_error));
    }
    ObjectPtr variant(std::string_view primary, std::string_view lang,
                      std::string vary = "accept-language") const {
        Headers req;
        req.add("Accept-Language", std::string(lang));
        ObjectDraft o = draft(variant_key(primary, secondary_key(vary, req)), std::string(lang));
        o.meta.parsed = true;
        o.meta.vary = std::move(vary);
        return Object::make(o);
    }
    static Headers lang(std::string_view l) {
        Headers h;
        h.add("Accept-Language", std::string(l));
        return h;
    }
};

TEST_F(LookupTest, KeyCarriesTheHashOfItsText) {
    const Key k = Key::from("http://h/p");
    EXPECT_EQ(k.text, "http://h/p");
    EXPECT_EQ(k.hash, std::hash<std::string_view>{}("http://h/p"));
    EXPECT_STREQ(to_string(Kind::HitForPass), "hit_for_pass");
}

TEST_F(LookupTest, MissLeadsThenOthersFollowAndGetTheStoredObject) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    ASSERT_EQ(leader.kind, Kind::Leader);
    ASSERT_TRUE(leader.flight);
    EXPECT_FALSE(leader.object);
    EXPECT_EQ(store.stats().entries, 1u);  // the entry exists before any object
    EXPECT_EQ(store.stats().flights, 1u);

    std::vector<ObjectPtr> seen;
    for (int i = 0; i < 3; ++i) {
        Lookup f = lookup(k);
        ASSERT_EQ(f.kind, Kind::Follower);
        EXPECT_EQ(f.flight, leader.flight);
        store.wait(f.flight, [&](ObjectPtr o) { seen.push_back(std::move(o)); });
    }
    EXPECT_EQ(store.waiters(leader.flight), 3u);
    EXPECT_TRUE(seen.empty());

    auto object = make("P");
    EXPECT_TRUE(store.complete(leader.flight, object, false, clock.now()));
    ASSERT_EQ(seen.size(), 3u);
    for (const auto& o : seen) EXPECT_EQ(o, object);

    Lookup hit = lookup(k);
    EXPECT_EQ(hit.kind, Kind::Hit);
    EXPECT_EQ(hit.object, object);
    EXPECT_FALSE(hit.flight);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 1u);
    EXPECT_EQ(s.flights, 0u);
    EXPECT_EQ(s.coalesced, 3u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 4u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, FollowersReleasedWithNullptrFetchAloneAndTheEntryGoes) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    Lookup follower = lookup(k);
    ASSERT_EQ(follower.kind, Kind::Follower);
    bool called = false;
    ObjectPtr got = make("sentinel");
    store.wait(follower.flight, [&](ObjectPtr o) {
        called = true;
        got = std::move(o);
    });
    store.complete(leader.flight, nullptr, false, clock.now());
    EXPECT_TRUE(called);
    EXPECT_EQ(got, nullptr);
    auto s = store.stats();
    EXPECT_EQ(s.entries, 0u);  // nothing left in it: no object, flight or marker
    EXPECT_EQ(s.flights, 0u);
    EXPECT_EQ(lookup(k).kind, Kind::Leader);  // the next miss starts a new flight
}

TEST_F(LookupTest, WaitOnAnEndedFlightRunsAtOnceAndASecondEndIsIgnored) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    auto object = make("P");
    EXPECT_TRUE(store.complete(leader.flight, object, false, clock.now()));
    EXPECT_FALSE(store.complete(leader.flight, make("P", "late"), true, clock.now()));  // ignored
    ObjectPtr got;
    store.wait(leader.flight, [&](ObjectPtr o) { got = std::move(o); });
    EXPECT_EQ(got, object);
    auto s = store.stats();
    EXPECT_EQ(s.pass_markers, 0u);
    EXPECT_EQ(s.objects, 1u);
    EXPECT_EQ(store.lookup("P", clock.now()), object);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, CallbacksRunAfterTheShardLockIsReleased) {
    StoreLimits l = limits;
    l.shards = 1;
    Store one(l);
    const Key k = Key::from("P");
    Lookup leader = one.lookup_or_join(
        k, none, [](const Object&) { return Usability::Fresh; }, clock.now());
    Lookup follower = one.lookup_or_join(
        k, none, [](const Object&) { return Usability::Fresh; }, clock.now());
    ASSERT_EQ(follower.kind, Kind::Follower);
    Kind inside{};
    // The callback calls the store again: this would deadlock if it ran under the lock.
    one.wait(follower.flight, [&](ObjectPtr) {
        inside = one.lookup_or_join(
                        k, none, [](const Object&) { return Usability::Fresh; }, clock.now())
                     .kind;
    });
    one.complete(leader.flight, make("P"), false, clock.now());
    EXPECT_EQ(inside, Kind::Hit);
}

TEST_F(LookupTest, GraceServesStaleAndOneCallerRefreshes) {
    const Key k = Key::from("P");
    auto old = make("P", "old", 10s, 30s);
    ASSERT_TRUE(store.insert(old));
    clock.advance(11s);  // stale, in grace

    Lookup first = lookup(k);
    ASSERT_EQ(first.kind, Kind::Grace);
    EXPECT_EQ(first.object, old);
    ASSERT_TRUE(first.flight);  // this caller refreshes
    Lookup second = lookup(k);
    EXPECT_EQ(second.kind, Kind::Grace);
    EXPECT_EQ(second.object, old);
    EXPECT_FALSE(second.flight);  // the refresh is already running
    EXPECT_EQ(store.stats().flights, 1u);

    auto fresh = make("P", "new");
    store.complete(first.flight, fresh, false, clock.now());
    Lookup hit = lookup(k);
    EXPECT_EQ(hit.kind, Kind::Hit);
    EXPECT_EQ(hit.object, fresh);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, PastGraceTheRefreshIsFollowedWithTheKeptObject) {
    const Key k = Key::from("P");
    auto old = make("P", "old", 10s, 5s, 60s);
    ASSERT_TRUE(store.insert(old));
    clock.advance(12s);
    Lookup refresher = lookup(k);
    ASSERT_EQ(refresher.kind, Kind::Grace);
    ASSERT_TRUE(refresher.flight);
    clock.advance(5s);  // past grace, inside stale-if-error: kept, not servable
    Lookup f = lookup(k);
    EXPECT_EQ(f.kind, Kind::Follower);  // the grace refresh is this variant's flight
    EXPECT_EQ(f.flight, refresher.flight);
    EXPECT_EQ(f.object, old);  // for stale-if-error
    store.complete(refresher.flight, nullptr, false, clock.now());
    Lookup leader = lookup(k);
    EXPECT_EQ(leader.kind, Kind::Leader);
    EXPECT_EQ(leader.object, old);  // kept stale object, to revalidate
    store.hand_over(leader.flight, leader.object);
    EXPECT_EQ(store.stats().objects, 1u);
}

TEST_F(LookupTest, HandOverGivesWaitersAnAnswerWithoutStoringIt) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    Lookup follower = lookup(k);
    ObjectPtr got;
    store.wait(follower.flight, [&](ObjectPtr o) { got = std::move(o); });
    auto answer = make("P");
    store.hand_over(leader.flight, answer);
    EXPECT_EQ(got, answer);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.entries, 0u);
}

TEST_F(LookupTest, UnusableObjectIsDroppedAndTheCallerLeads) {
    const Key k = Key::from("P");
    ASSERT_TRUE(store.insert(make("P")));
    Lookup l = store.lookup_or_join(
        k, none, [](const Object&) { return Usability::Unusable; }, clock.now());
    EXPECT_EQ(l.kind, Kind::Leader);
    EXPECT_FALSE(l.object);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.expired, 1u);
    EXPECT_TRUE(store.check_invariants());
    store.complete(l.flight, nullptr, false, clock.now());
    EXPECT_EQ(store.stats().entries, 0u);
}

TEST_F(LookupTest, ObjectPastItsRetentionIsDroppedWithoutAskingTheJudge) {
    const Key k = Key::from("P");
    ASSERT_TRUE(store.insert(make("P", "b", 10s)));
    clock.advance(10s);
    bool asked = false;
    Lookup l = store.lookup_or_join(
        k, none,
        [&](const Object&) {
            asked = true;
            return Usability::Fresh;
        },
        clock.now());
    EXPECT_FALSE(asked);
    EXPECT_EQ(l.kind, Kind::Leader);
    EXPECT_EQ(store.stats().objects, 0u);
    store.complete(l.flight, nullptr, false, clock.now());
}

TEST_F(LookupTest, StaleObjectIsKeptForTheLeaderAndFollowers) {
    const Key k = Key::from("P");
    auto old = make("P", "old", 10s, 0s, 60s);
    ASSERT_TRUE(store.insert(old));
    clock.advance(20s);
    Lookup leader = lookup(k);
    EXPECT_EQ(leader.kind, Kind::Leader);
    EXPECT_EQ(leader.object, old);
    Lookup follower = lookup(k);
    EXPECT_EQ(follower.kind, Kind::Follower);
    EXPECT_EQ(follower.object, old);
    store.complete(leader.flight, make("P", "new"), false, clock.now());
    EXPECT_EQ(lookup(k).object->body(), "new");
}

// --- hit-for-pass ---

TEST_F(LookupTest, UncacheableMarksHitForPassUntilTheTtl) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    Lookup follower = lookup(k);
    ObjectPtr got = make("sentinel");
    store.wait(follower.flight, [&](ObjectPtr o) { got = std::move(o); });
    store.complete(leader.flight, nullptr, true, clock.now());
    EXPECT_EQ(got, nullptr);  // followers fetch on their own at once
    EXPECT_EQ(store.stats().pass_markers, 1u);
    EXPECT_EQ(store.stats().entries, 1u);  // kept by its marker

    for (int i = 0; i < 3; ++i) {  // in parallel: no flight, nobody waits
        Lookup pass = lookup(k);
        EXPECT_EQ(pass.kind, Kind::HitForPass);
        EXPECT_FALSE(pass.flight);
    }
    EXPECT_EQ(store.stats().flights, 0u);
    EXPECT_EQ(store.stats().hit_for_pass, 3u);
    clock.advance(29s);
    EXPECT_EQ(lookup(k).kind, Kind::HitForPass);
    clock.advance(1s);  // the marker's time is over: try to fill the cache again
    Lookup again = lookup(k);
    EXPECT_EQ(again.kind, Kind::Leader);
    EXPECT_EQ(store.stats().pass_markers, 0u);
    store.complete(again.flight, nullptr, false, clock.now());
    EXPECT_EQ(store.stats().entries, 0u);
}

TEST_F(LookupTest, ASuccessfulInsertClearsTheMarker) {
    const Key k = Key::from("P");
    store.mark_uncacheable(k, clock.now());
    EXPECT_EQ(lookup(k).kind, Kind::HitForPass);
    ASSERT_TRUE(store.insert(make("P")));  // e.g. a hit-for-pass fetch found it cacheable
    EXPECT_EQ(store.stats().pass_markers, 0u);
    EXPECT_EQ(lookup(k).kind, Kind::Hit);
    clock.advance(61s);  // stale, no grace: no marker any more, so a Leader
    EXPECT_EQ(lookup(k).kind, Kind::Leader);
}

TEST_F(LookupTest, ARunningFlightIsFollowedEvenWhenMarked) {
    const Key k = Key::from("P");
    Lookup leader = lookup(k);
    store.mark_uncacheable(k, clock.now());  // e.g. a pass fetch saw Set-Cookie meanwhile
    EXPECT_EQ(lookup(k).kind, Kind::Follower);
    store.complete(leader.flight, make("P"), false, clock.now());  // cacheable after all
    EXPECT_EQ(store.stats().pass_markers, 0u);
    EXPECT_EQ(lookup(k).kind, Kind::Hit);
}

TEST_F(LookupTest, MarkersAreBoundedLeastRecentlyMarkedFirst) {
    StoreLimits l = limits;
    l.shards = 1;
    l.max_uncacheable = 2;
    Store small(l);
    for (auto name : {"a", "b", "c"}) small.mark_uncacheable(Key::from(name), clock.now());
    auto s = small.stats();
    EXPECT_EQ(s.pass_markers, 2u);
    EXPECT_EQ(s.entries, 2u);  // a's entry went with its marker
    auto kind = [&](const char* name) {
        return small
            .lookup_or_join(
                Key::from(name), none, [](const Object&) { return Usability::Fresh; }, clock.now())
            .kind;
    };
    EXPECT_EQ(kind("b"), Kind::HitForPass);
    EXPECT_EQ(kind("c"), Kind::HitForPass);
    EXPECT_EQ(kind("a"), Kind::Leader);
    EXPECT_TRUE(small.check_invariants());
}

// Hardening item 10: a flood of distinct uncacheable URLs with long keys is bounded by bytes,
// not only by max_uncacheable. Each marker is charged its key and an entry; the oldest go first.
TEST_F(LookupTest, MarkersWithLongKeysStayWithinTheByteBudget) {
    StoreLimits l = limits;
    l.max_size = 1024 * 1024;
    l.max_object_size = 64 * 1024;
    l.shards = 4;  // 256 KiB each
    Store small(l);
    ASSERT_EQ(small.limits().shards, 4u);
    const std::string tail(12 * 1024, 'q');  // ~12 KB URLs: about 20 markers per shard
    std::size_t peak = 0;
    for (int i = 0; i < 2000; ++i) {
        small.mark_uncacheable(Key::from("http://h/" + std::to_string(i) + "?" + tail),
                               clock.now());
        const auto s = small.stats();
        peak = std::max(peak, s.bytes);
        ASSERT_LE(s.bytes, l.max_size) << i;
        ASSERT_LE(s.pass_markers, l.max_uncacheable);
        if (i % 97 == 0) {
            ASSERT_TRUE(small.check_invariants()) << i;
        }
    }
    auto s = small.stats();
    EXPECT_GT(peak, l.max_size / 2);  // markers did fill the shards: the bound is what held
    EXPECT_LT(s.pass_markers, 200u);  // about 20 per shard
    EXPECT_GE(s.pass_markers, 4u);
    EXPECT_EQ(s.entries, s.pass_markers);  // evicted markers took their entries with them
    EXPECT_TRUE(small.check_invariants());
    auto kind = [&](int i) {
        return small
            .lookup_or_join(
                Key::from("http://h/" + std::to_string(i) + "?" + tail), none,
                [](const Object&) { return Usability::Fresh; }, clock.now())
            .kind;
    };
    EXPECT_EQ(kind(1999), Kind::HitForPass);  // the newest marker is kept
    EXPECT_EQ(kind(0), Kind::Leader);         // the oldest went
    EXPECT_EQ(small.stats().evictions, 0u);   // nothing but markers was there to evict
}

TEST_F(LookupTest, AMarkerIsChargedItsKeyAndGoesWithItsBytes) {
    StoreLimits l = limits;
    l.shards = 1;
    Store one(l);
    const Key k = Key::from(std::string(5000, 'k'));
    one.mark_uncacheable(k, clock.now());
    const std::size_t marker = one.stats().bytes;
    EXPECT_GT(marker, 5000u);        // its copy of the key
    EXPECT_LT(marker, 5000u + 512);  // and a fixed part of the order of an entry
    std::printf("hit-for-pass marker: %zu bytes + its key\n", marker - 5000);
    one.mark_uncacheable(k, clock.now());  // a renewed marker is charged once
    EXPECT_EQ(one.stats().bytes, marker);
    ASSERT_TRUE(one.insert(make(k.text)));  // clears the marker and its bytes
    EXPECT_EQ(one.stats().pass_markers, 0u);
    EXPECT_EQ(one.stats().bytes, make(k.text)->charge());
    EXPECT_TRUE(one.check_invariants());
    ASSERT_TRUE(one.erase(k.text));
    one.mark_uncacheable(k, clock.now());
    clock.advance(31s);
    one.expire(clock.now());
    EXPECT_EQ(one.stats().bytes, 0u);
    EXPECT_EQ(one.stats().entries, 0u);

    // A marker larger than the whole shard is not kept (nor its entry).
    StoreLimits tiny = l;
    tiny.max_size = 4096;
    tiny.max_object_size = 1024;
    Store small(tiny);
    small.mark_uncacheable(k, clock.now());
    EXPECT_EQ(small.stats().pass_markers, 0u);
    EXPECT_EQ(small.stats().entries, 0u);
    EXPECT_EQ(small.stats().bytes, 0u);
    EXPECT_EQ(small
                  .lookup_or_join(
                      k, none, [](const Object&) { return Usability::Fresh; }, clock.now())
                  .kind,
              Kind::Leader);
    EXPECT_TRUE(small.check_invariants());
}

TEST_F(LookupTest, MarkersAndObjectsAreEvictedOldestFirstFromOneBudget) {
    const std::size_t object = make("o0", std::string(1000, 'b'))->charge();
    StoreLimits l = limits;
    l.shards = 1;
    l.max_size = 4 * object + object / 2;
    l.max_object_size = 2000;
    Store one(l);
    const std::string tail(1200, 'm');  // a marker costs about as much as an object
    ASSERT_TRUE(one.insert(make("o0", std::string(1000, 'b'))));
    ASSERT_TRUE(one.insert(make("o1", std::string(1000, 'b'))));
    one.mark_uncacheable(Key::from("m0" + tail), clock.now());
    one.mark_uncacheable(Key::from("m1" + tail), clock.now());
    EXPECT_EQ(one.stats().evictions, 0u);
    auto present = [&](const std::string& key) { return one.lookup_servable(key, clock.now()); };
    auto marked = [&](const std::string& key) {
        return one.lookup_or_join(
                      Key::from(key), none, [](const Object&) { return Usability::Fresh; },
                      clock.now())
                   .kind == Kind::HitForPass;
    };
    // A new marker evicts the oldest thing, an object.
    one.mark_uncacheable(Key::from("m2" + tail), clock.now());
    EXPECT_FALSE(present("o0"));
    EXPECT_TRUE(present("o1"));
    EXPECT_EQ(one.stats().evictions, 1u);
    // A new object evicts the oldest thing left: o1 was just hit (second chance), so m0.
    ASSERT_TRUE(one.insert(make("o2", std::string(1000, 'b'))));
    EXPECT_TRUE(present("o1"));
    EXPECT_EQ(one.stats().pass_markers, 2u);
    EXPECT_TRUE(marked("m1" + tail));  // a hit-for-pass gives its marker a second chance too
    EXPECT_TRUE(marked("m2" + tail));
    EXPECT_LE(one.stats().bytes, l.max_size);
    EXPECT_TRUE(one.check_invariants());
}

TEST_F(LookupTest, ExpiredMarkersAreSweptAndTheStoreReturnsToEmpty) {
    for (int i = 0; i < 10; ++i)
        store.mark_uncacheable(Key::from("k" + std::to_string(i)), clock.now());
    EXPECT_EQ(store.stats().entries, 10u);
    clock.advance(31s);
    EXPECT_EQ(store.expire(clock.now()), 0u);
    auto s = store.stats();
    EXPECT_EQ(s.pass_markers, 0u);
    EXPECT_EQ(s.entries, 0u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, CompleteWithAnObjectThatIsRefusedStillAnswersWaiters) {
    StoreLimits l = limits;
    l.max_object_size = 10;
    Store small(l);
    const Key k = Key::from("P");
    auto judge = [](const Object&) { return Usability::Fresh; };
    Lookup leader = small.lookup_or_join(k, none, judge, clock.now());
    Lookup follower = small.lookup_or_join(k, none, judge, clock.now());
    ObjectPtr got;
    small.wait(follower.flight, [&](ObjectPtr o) { got = std::move(o); });
    auto big = make("P", std::string(100, 'x'));
    EXPECT_FALSE(small.complete(leader.flight, big, false, clock.now()));
    EXPECT_EQ(got, big);
    auto s = small.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.rejected, 1u);
    EXPECT_EQ(s.entries, 0u);
}

// --- Vary variants ---

TEST_F(LookupTest, AFlightPerVariant) {
    const Key k = Key::from("P");
    ASSERT_TRUE(store.insert(variant("P", "de")));  // the store now knows P's Vary
    Lookup en = lookup(k, lang("en"));
    Lookup fr = lookup(k, lang("fr"));
    ASSERT_EQ(en.kind, Kind::Leader);
    ASSERT_EQ(fr.kind, Kind::Leader);  // another variant: not queued behind en
    EXPECT_NE(en.flight, fr.flight);
    EXPECT_EQ(lookup(k, lang("de")).kind, Kind::Hit);
    Lookup en2 = lookup(k, lang("en"));
    ASSERT_EQ(en2.kind, Kind::Follower);
    EXPECT_EQ(en2.flight, en.flight);
    Lookup fr2 = lookup(k, lang("fr"));
    ASSERT_EQ(fr2.kind, Kind::Follower);
    EXPECT_EQ(fr2.flight, fr.flight);
    EXPECT_EQ(store.stats().flights, 2u);

    ObjectPtr got_en, got_fr;
    bool fr_called = false;
    store.wait(en2.flight, [&](ObjectPtr o) { got_en = std::move(o); });
    store.wait(fr2.flight, [&](ObjectPtr o) {
        fr_called = true;
        got_fr = std::move(o);
    });
    auto en_object = variant("P", "en");
    store.complete(en.flight, en_object, false, clock.now());
    EXPECT_EQ(got_en, en_object);
    EXPECT_FALSE(fr_called);  // fr's flight runs on
    EXPECT_EQ(lookup(k, lang("en")).kind, Kind::Hit);
    EXPECT_EQ(lookup(k, lang("fr")).kind, Kind::Follower);
    store.complete(fr.flight, variant("P", "fr"), false, clock.now());
    EXPECT_TRUE(fr_called);
    EXPECT_EQ(got_fr->body(), "fr");
    EXPECT_EQ(store.variant_count("P"), 3u);
    EXPECT_EQ(store.stats().flights, 0u);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, AVariantFromAFlightStartedWithoutVaryIsNotHandedToWaiters) {
    // The first miss cannot know the Vary: followers may select another variant, so they are
    // released to look up again, which now resolves their own variant.
    const Key k = Key::from("P");
    Lookup leader = lookup(k, lang("en"));
    Lookup follower = lookup(k, lang("fr"));
    ASSERT_EQ(follower.kind, Kind::Follower);
    ObjectPtr got = make("sentinel");
    store.wait(follower.flight, [&](ObjectPtr o) { got = std::move(o); });
    store.complete(leader.flight, variant("P", "en"), false, clock.now());
    EXPECT_EQ(got, nullptr);
    EXPECT_EQ(lookup(k, lang("en")).kind, Kind::Hit);
    Lookup fr = lookup(k, lang("fr"));
    EXPECT_EQ(fr.kind, Kind::Leader);
    store.complete(fr.flight, nullptr, false, clock.now());
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, FlightsSurviveTheirLastObject) {
    const Key k = Key::from("P");
    auto de = variant("P", "de");
    ASSERT_TRUE(store.insert(de));
    Lookup en = lookup(k, lang("en"));
    ASSERT_TRUE(store.erase(de->key()));  // the entry's last object goes; en's flight stays
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_EQ(lookup(k, lang("en")).kind, Kind::Follower);  // still selects en's flight
    EXPECT_EQ(lookup(k, lang("de")).kind, Kind::Leader);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, PlainResponseReplacesVariantsAndVariantsReplacePlain) {
    const Key k = Key::from("P");
    ASSERT_TRUE(store.insert(variant("P", "en")));
    ASSERT_TRUE(store.insert(variant("P", "fr")));
    Lookup en = lookup(k, lang("en"));
    ASSERT_EQ(en.kind, Kind::Hit);
    clock.advance(61s);
    Lookup miss = lookup(k, lang("en"));
    ASSERT_EQ(miss.kind, Kind::Leader);
    store.complete(miss.flight, make("P", "plain"), false, clock.now());  // the app dropped Vary
    EXPECT_EQ(store.variant_count("P"), 0u);
    EXPECT_EQ(store.stats().objects, 1u);
    EXPECT_EQ(lookup(k, lang("fr")).object->body(), "plain");
    ASSERT_TRUE(store.insert(variant("P", "de")));
    EXPECT_EQ(store.stats().objects, 1u);
    EXPECT_EQ(lookup(k, lang("de")).object->body(), "de");
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(LookupTest, MaxVariantsDropsTheOldest) {
    for (auto l : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(store.insert(variant("P", l)));
    EXPECT_EQ(store.variant_count("P"), 4u);
    EXPECT_EQ(lookup(Key::from("P"), lang("a")).kind, Kind::Leader);
    EXPECT_EQ(lookup(Key::from("P"), lang("e")).kind, Kind::Hit);
}

// --- the URL index ---

TEST_F(LookupTest, EraseAtRemovesMatchingObjectsAcrossKeysAndVariants) {
    StoreLimits l = limits;
    l.shards = 16;
    Store s(l);
    auto at = [](const ObjectPtr& o, std::string url, std::string query = "") {
        ObjectDraft d = o->draft();
        d.url = std::move(url);
        d.url_query = std::move(query);
        return Object::make(d);
    };
    const std::string url = "http://example.com/page";
    // The same URL under several keys (query, cookie-split keys, variants), in several shards.
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(
            s.insert(at(make(url + "?n=" + std::to_string(i)), url, "n=" + std::to_string(i))));
    ASSERT_TRUE(s.insert(at(variant(url + "#v", "en"), url)));
    ASSERT_TRUE(s.insert(at(variant(url + "#v", "fr"), url)));
    ASSERT_TRUE(s.insert(at(make("http://example.com/other"), "http://example.com/other")));
    ASSERT_TRUE(s.insert(make("no-url")));
    ASSERT_TRUE(s.check_invariants());

    EXPECT_EQ(s.erase_at(url, [](const Object& o) { return o.url_query() == "n=3"; }), 1u);
    EXPECT_EQ(s.lookup(url + "?n=3", clock.now()), nullptr);
    EXPECT_NE(s.lookup(url + "?n=4", clock.now()), nullptr);
    EXPECT_EQ(s.erase_at(url, [](const Object& o) { return o.body() == "fr"; }), 1u);
    EXPECT_EQ(s.variant_count(url + "#v"), 1u);
    EXPECT_TRUE(s.check_invariants());
    EXPECT_EQ(s.erase_at(url, [](const Object&) { return true; }), 20u);  // 19 + en
    EXPECT_EQ(s.erase_at(url, [](const Object&) { return true; }), 0u);
    EXPECT_EQ(s.erase_at("", [](const Object&) { return true; }), 0u);
    auto st = s.stats();
    EXPECT_EQ(st.objects, 2u);
    EXPECT_EQ(st.entries, 2u);
    EXPECT_TRUE(s.check_invariants());
}

TEST_F(LookupTest, UrlIndexFollowsReplacementAndEviction) {
    StoreLimits l = limits;
    l.shards = 1;
    l.max_objects = 3;
    Store s(l);
    auto at = [](const ObjectPtr& o, std::string url) {
        ObjectDraft d = o->draft();
        d.url = std::move(url);
        return Object::make(d);
    };
    ASSERT_TRUE(s.insert(at(make("a"), "u")));
    ASSERT_TRUE(s.insert(at(make("b"), "u")));
    ASSERT_TRUE(s.insert(at(make("a", "again"), "u")));  // replaces the list head's object
    EXPECT_TRUE(s.check_invariants());
    ASSERT_TRUE(s.insert(at(make("c"), "v")));
    ASSERT_TRUE(s.insert(at(make("d"), "v")));  // evicts b
    EXPECT_TRUE(s.check_invariants());
    EXPECT_EQ(s.erase_at("u", [](const Object&) { return true; }), 1u);
    EXPECT_EQ(s.erase_at("v", [](const Object&) { return true; }), 2u);
    EXPECT_EQ(s.stats().entries, 0u);
    EXPECT_TRUE(s.check_invariants());
}

// --- eviction and the hit path ---

TEST_F(LookupTest, ClockGivesAHitObjectOneSecondChance) {
    StoreLimits l = limits;
    l.shards = 1;
    l.max_objects = 3;
    Store s(l);
    for (auto k : {"a", "b", "c"}) ASSERT_TRUE(s.insert(make(k)));
    ASSERT_TRUE(s.lookup("a", clock.now()));  // a referenced
    ASSERT_TRUE(s.insert(make("d")));         // a gets a second chance; b goes
    EXPECT_FALSE(s.lookup_servable("b", clock.now()));
    ASSERT_TRUE(s.insert(make("e")));  // c goes (oldest unreferenced)
    EXPECT_FALSE(s.lookup_servable("c", clock.now()));
    EXPECT_TRUE(s.lookup_servable("a", clock.now()));  // referenced again
    ASSERT_TRUE(s.insert(make("f")));                  // d goes, a stays
    EXPECT_FALSE(s.lookup_servable("d", clock.now()));
    ASSERT_TRUE(s.insert(make("g")));  // e goes
    ASSERT_TRUE(s.insert(make("h")));  // a's flag was cleared by its last pass: a goes
    EXPECT_FALSE(s.lookup_servable("a", clock.now()));
    EXPECT_EQ(s.stats().evictions, 5u);
    EXPECT_TRUE(s.check_invariants());
}

TEST_F(LookupTest, StoreReturnsToEmptyAfterObjectsFlightsAndMarkersGo) {
    for (int i = 0; i < 20; ++i) {
        const Key k = Key::from("k" + std::to_string(i));
        Lookup l = lookup(k);
        ASSERT_EQ(l.kind, Kind::Leader);
        if (i % 3 == 0)
            store.complete(l.flight, make(k.text), false, clock.now());
        else
            store.complete(l.flight, nullptr, i % 3 == 1, clock.now());
    }
    auto s = store.stats();
    EXPECT_EQ(s.objects, 7u);
    EXPECT_EQ(s.pass_markers, 7u);
    EXPECT_EQ(s.entries, 14u);
    EXPECT_EQ(s.flights, 0u);
    clock.advance(3600s);
    EXPECT_EQ(store.expire(clock.now()), 7u);
    s = store.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.bytes, 0u);
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.pass_markers, 0u);
    EXPECT_TRUE(store.check_invariants());
}

#ifdef LARDER_COUNT_ALLOCATIONS
TEST_F(LookupTest, AHitAllocatesNothing) {
    const Key k = Key::from("http://example.com/a/rather/long/path/beyond/sso");
    ASSERT_TRUE(store.insert(make(k.text)));
    auto judge = [](const Object&) { return Usability::Fresh; };
    const auto now = clock.now();
    const std::size_t before = testing::thread_allocations();
    Lookup hit = store.lookup_or_join(k, none, judge, now);
    ObjectPtr old_api = store.lookup(k.text, now);
    const std::size_t after = testing::thread_allocations();
    EXPECT_EQ(hit.kind, Kind::Hit);
    EXPECT_TRUE(old_api);
    EXPECT_EQ(after - before, 0u);
}
#endif

}  // namespace
}  // namespace larder::cache
