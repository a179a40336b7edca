#include "larder/cache/store.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "../../../src/cache/entry.hpp"
#include "../../../src/cache/heap_cost.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

struct Fixture : ::testing::Test {
    obs::ManualClock clock;

    ObjectPtr make(std::string key, std::size_t body_size = 100,
                   std::chrono::seconds ttl = 3600s) const {
        ObjectDraft o;
        o.key = std::move(key);
        o.head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body_size) + "\r\n";
        o.body = std::string(body_size, 'b');
        o.stored_at = clock.now();
        o.expires_at = clock.now() + ttl;
        return Object::make(o);
    }
};

StoreLimits one_shard(std::size_t max_size, std::size_t max_objects = 1'000'000) {
    StoreLimits l;
    l.max_size = max_size;
    l.max_objects = max_objects;
    l.shards = 1;
    return l;
}

using StoreTest = Fixture;

TEST(HeapCost, MatchesWhatMallocHolds) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's allocator is not glibc's";
#endif
    // glibc's chunk: the request plus an 8-byte header, rounded up to 16, at least 32. A chunk
    // reused from the free lists may be up to 16 bytes larger (a remainder too small to split
    // stays with it), never smaller.
    std::size_t exact = 0;
    for (std::size_t n = 1; n < 4096; ++n) {
        void* p = std::malloc(n);
        ASSERT_NE(p, nullptr);
        const std::size_t held = malloc_usable_size(p) + sizeof(std::size_t);
        std::free(p);
        ASSERT_GE(held, detail::heap_cost(n)) << n;
        ASSERT_LE(held, detail::heap_cost(n) + 16) << n;
        exact += held == detail::heap_cost(n);
    }
    EXPECT_GT(exact, 2048u);  // most
    EXPECT_EQ(detail::heap_cost(0), 0u);
    EXPECT_EQ(detail::heap_cost(200 * 1024), 200u * 1024 + 4096);  // mapped: whole pages
}

// The one allocation of an object with `texts` bytes of key, head, url, query, tags, ETag and
// Vary together and a body of `body` bytes, as malloc holds it.
std::size_t allocation(std::size_t texts, std::size_t body) {
    return detail::heap_cost(sizeof(Object) + texts + body);
}
std::size_t store_structures() {
    return detail::heap_cost(sizeof(detail::Slot)) + detail::heap_cost(sizeof(detail::Entry));
}

TEST_F(StoreTest, ChargeIsTheOneAllocationPlusMeasuredBookkeeping) {
    auto o = make(std::string(40, 'k'), 1000);
    EXPECT_EQ(o->allocation_bytes(), allocation(o->key().size() + o->head().size(), 1000));
    // The entry views the object's key: no copy of it is charged.
    EXPECT_EQ(o->charge(), o->allocation_bytes() + store_structures());
    // The header, a slot and an entry, each with malloc's chunk header; not a round guess.
    EXPECT_EQ(Object::bookkeeping_bytes(), allocation(0, 0) + store_structures());
    EXPECT_GT(Object::bookkeeping_bytes(), sizeof(Object) + sizeof(detail::Slot));
    ObjectDraft small;
    small.key = "k";
    EXPECT_EQ(Object::make(small)->charge(), allocation(1, 0) + store_structures());
    // A rule name is interned: nothing per object, however long.
    small.rule_name = std::string(100, 'r');
    EXPECT_EQ(Object::make(small)->charge(), allocation(1, 0) + store_structures());
    // A variant's entry holds the normalised Vary in a string of its own.
    ObjectDraft variant;
    variant.key = std::string(20, 'p') + '\x1e' + std::string(30, 's');
    variant.meta.vary = "accept-language";  // the entry's copy fits its inline buffer
    EXPECT_EQ(Object::make(variant)->charge(),
              allocation(variant.key.size() + variant.meta.vary.size(), 0) + store_structures() +
                  detail::heap_cost(sizeof(std::string)));
    variant.meta.vary = "accept-encoding,accept-language";
    EXPECT_EQ(Object::make(variant)->charge(),
              allocation(variant.key.size() + variant.meta.vary.size(), 0) + store_structures() +
                  detail::heap_cost(sizeof(std::string)) +
                  detail::heap_cost(variant.meta.vary.size() + 1));
}

TEST_F(StoreTest, UrlAndQueryAreChargedInTheObjectsAllocation) {
    ObjectDraft d;
    d.key = "k";
    d.url = "http://example.com/" + std::string(40, 'p');
    d.url_query = "a=" + std::string(40, 'q');
    auto o = Object::make(d);
    EXPECT_EQ(o->url(), d.url);
    EXPECT_EQ(o->url_query(), d.url_query);
    EXPECT_EQ(o->charge(),
              allocation(1 + d.url.size() + d.url_query.size(), 0) + store_structures());
}

TEST(ObjectLayout, TextsAndFieldsSurvivePacking) {
    ObjectDraft d;
    d.key = "GET http://h/p";
    d.head = "HTTP/1.1 200 OK\r\nETag: \"e\"\r\n";
    d.body = std::string(3000, 'b');
    d.url = "http://h/p";
    d.url_query = "a=1";
    d.tags = "t1 t2";
    d.meta.etag = "\"e\"";
    d.meta.vary = "accept-language";
    d.meta.no_cache = true;
    d.status = 203;
    d.epoch = 7;
    auto o = Object::make(d);
    EXPECT_EQ(o->key(), d.key);
    EXPECT_EQ(o->head(), d.head);
    EXPECT_EQ(o->body(), d.body);
    EXPECT_EQ(o->url(), d.url);
    EXPECT_EQ(o->url_query(), d.url_query);
    EXPECT_EQ(o->tags(), d.tags);
    EXPECT_EQ(o->etag(), d.meta.etag);
    EXPECT_EQ(o->vary(), d.meta.vary);
    EXPECT_TRUE(o->meta.no_cache);
    EXPECT_TRUE(o->meta.has_etag);
    EXPECT_EQ(o->status, 203);
    EXPECT_EQ(o->epoch, 7u);
    const ObjectDraft back = o->draft();
    EXPECT_EQ(back.key, d.key);
    EXPECT_EQ(back.body, d.body);
    EXPECT_EQ(back.meta.vary, d.meta.vary);
    // Shared by reference count: the last reference frees it (counting_new checks leaks).
    ObjectPtr copy = o;
    EXPECT_EQ(copy.get(), o.get());
    o.reset();
    EXPECT_FALSE(o);
    EXPECT_EQ(copy->key(), d.key);
    ObjectPtr moved = std::move(copy);
    EXPECT_FALSE(copy);  // NOLINT(bugprone-use-after-move): moved-from is null
    EXPECT_EQ(moved->body().size(), 3000u);
}

// The overhead of a typical stored object (a 60-byte key, a url and a query, a rule name) beyond
// the bytes of its own texts, printed for the record (issue 16 asks for 200 bytes; see
// docs/performance.md for where the rest goes), and kept from growing back.
TEST_F(StoreTest, PerObjectOverheadOfATypicalObjectIsMeasured) {
    ObjectDraft d =
        make("http://www.example.com/articles/2024/some-articl-name?page=2", 2048)->draft();
    ASSERT_EQ(d.key.size(), 60u);
    d.url = "http://www.example.com/articles/2024/some-articl-name";
    d.url_query = "page=2";
    d.rule_name = "articles";
    auto o = Object::make(d);
    const std::size_t own =
        d.key.size() + d.head.size() + d.body.size() + d.url.size() + d.url_query.size();
    const std::size_t overhead = o->charge() - own;
    const std::size_t sizes = sizeof(Object) + sizeof(detail::Slot) +
                              sizeof(detail::Entry);  // without malloc's headers and rounding
    std::printf(
        "per-object overhead, 60-byte key with url: %zu bytes as malloc holds them "
        "(bookkeeping_bytes %zu); %zu bytes of structures (sizeof(Object) %zu, Slot %zu, "
        "Entry %zu)\n",
        overhead, Object::bookkeeping_bytes(), sizes, sizeof(Object), sizeof(detail::Slot),
        sizeof(detail::Entry));
    RecordProperty("overhead_bytes", static_cast<int>(overhead));
    // The texts share the header's allocation: at most malloc's rounding (15 bytes) beyond it.
    EXPECT_LE(overhead, Object::bookkeeping_bytes() + 15);
    EXPECT_GE(overhead + 15, Object::bookkeeping_bytes());
    // 640 bytes of structures before issue 16 (sizeof(Object) 472), 520 before the packed
    // layout; not to grow back.
    EXPECT_LE(sizes, 360u);
}

TEST_F(StoreTest, LookupHitMissAndAccessRefreshesLruOrder) {
    Store store(one_shard(1 << 20, 3));
    ASSERT_TRUE(store.insert(make("a")));
    ASSERT_TRUE(store.insert(make("b")));
    ASSERT_TRUE(store.insert(make("c")));
    ASSERT_NE(store.lookup("a", clock.now()), nullptr);  // a is now most recent; b is oldest
    EXPECT_EQ(store.lookup("zz", clock.now()), nullptr);
    ASSERT_TRUE(store.insert(make("d")));
    EXPECT_EQ(store.lookup("b", clock.now()), nullptr);
    EXPECT_NE(store.lookup("a", clock.now()), nullptr);
    EXPECT_NE(store.lookup("c", clock.now()), nullptr);
    EXPECT_NE(store.lookup("d", clock.now()), nullptr);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 3u);
    EXPECT_EQ(s.evictions, 1u);
    EXPECT_EQ(s.hits, 4u);
    EXPECT_EQ(s.misses, 2u);
    EXPECT_EQ(s.inserts, 4u);
}

TEST_F(StoreTest, ByteAccountingIsExact) {
    Store store(StoreLimits{});
    std::size_t expected = 0;
    for (int i = 0; i < 50; ++i) {
        auto o = make("key-" + std::to_string(i), 10 + 97 * i);
        expected += o->charge();
        ASSERT_TRUE(store.insert(o));
    }
    EXPECT_EQ(store.stats().bytes, expected);
    EXPECT_EQ(store.stats().objects, 50u);

    auto bigger = make("key-3", 5000);
    expected += bigger->charge() - make("key-3", 10 + 97 * 3)->charge();
    ASSERT_TRUE(store.insert(bigger));
    EXPECT_EQ(store.stats().bytes, expected);

    auto gone = store.lookup("key-7", clock.now());
    ASSERT_TRUE(store.erase("key-7"));
    expected -= gone->charge();
    EXPECT_EQ(store.stats().bytes, expected);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(StoreTest, EvictsLeastRecentlyUsedByBytes) {
    const std::size_t each = make("k0", 1000)->charge();
    Store store(one_shard(3 * each + each / 2));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.insert(make("k" + std::to_string(i), 1000)));
    EXPECT_EQ(store.stats().evictions, 0u);
    ASSERT_TRUE(store.insert(make("k3", 1000)));
    EXPECT_EQ(store.lookup("k0", clock.now()), nullptr);
    EXPECT_NE(store.lookup("k3", clock.now()), nullptr);
    auto s = store.stats();
    EXPECT_EQ(s.evictions, 1u);
    EXPECT_EQ(s.objects, 3u);
    EXPECT_LE(s.bytes, store.limits().max_size);

    // One big object pushes out as many as it needs.
    ASSERT_TRUE(store.insert(make("big", 2500)));
    // 3 x 1000 + 2500 bytes of body do not fit in 3.5 x 1000: two of the small ones go.
    EXPECT_EQ(store.stats().objects, 2u);
    EXPECT_EQ(store.stats().evictions, 3u);
    EXPECT_NE(store.lookup("k3", clock.now()), nullptr);
    EXPECT_NE(store.lookup("big", clock.now()), nullptr);
    EXPECT_TRUE(store.check_invariants());
}

TEST_F(StoreTest, EvictsByObjectCount) {
    Store store(one_shard(1 << 20, 2));
    ASSERT_TRUE(store.insert(make("a")));
    ASSERT_TRUE(store.insert(make("b")));
    ASSERT_TRUE(store.insert(make("c")));
    EXPECT_EQ(store.stats().objects, 2u);
    EXPECT_EQ(store.stats().evictions, 1u);
    EXPECT_EQ(store.lookup("a", clock.now()), nullptr);
}

TEST_F(StoreTest, MaxObjectsIsAtLeastOnePerShard) {
    StoreLimits l;
    l.max_objects = 3;  // fewer than the 16 shards
    Store store(l);
    ASSERT_TRUE(store.insert(make("only")));
    EXPECT_NE(store.lookup("only", clock.now()), nullptr);
}

TEST_F(StoreTest, InsertReplacesExistingKey) {
    Store store(one_shard(1 << 20));
    ASSERT_TRUE(store.insert(make("k", 10)));
    auto second = make("k", 20);
    ASSERT_TRUE(store.insert(second));
    auto got = store.lookup("k", clock.now());
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->body().size(), 20u);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 1u);
    EXPECT_EQ(s.bytes, second->charge());
    EXPECT_EQ(s.evictions, 0u);
    EXPECT_TRUE(store.check_invariants());  // the map key now views the new object's key
}

TEST_F(StoreTest, ReplacedObjectOutlivesTheStoreWhileReferenced) {
    Store store(one_shard(1 << 20));
    ASSERT_TRUE(store.insert(make("k", 10)));
    auto held = store.lookup("k", clock.now());
    ASSERT_TRUE(store.insert(make("k", 30)));
    EXPECT_EQ(held->body(), std::string(10, 'b'));  // a writer still sending it is unaffected
}

TEST_F(StoreTest, ExpiredObjectIsAMissAndIsRemoved) {
    Store store(StoreLimits{});
    ASSERT_TRUE(store.insert(make("k", 100, 60s)));
    clock.advance(59s);
    EXPECT_NE(store.lookup("k", clock.now()), nullptr);
    clock.advance(1s);  // now == expires_at: stale
    EXPECT_EQ(store.lookup("k", clock.now()), nullptr);
    auto s = store.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.bytes, 0u);
    EXPECT_EQ(s.expired, 1u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 1u);
}

TEST_F(StoreTest, RefusesBodiesAboveMaxObjectSize) {
    StoreLimits l;
    l.max_object_size = 1000;
    Store store(l);
    EXPECT_TRUE(store.insert(make("fits", 1000)));
    EXPECT_FALSE(store.insert(make("big", 1001)));
    EXPECT_EQ(store.lookup("big", clock.now()), nullptr);
    EXPECT_EQ(store.stats().rejected, 1u);
    EXPECT_EQ(store.stats().objects, 1u);
    EXPECT_FALSE(store.insert(nullptr));
}

TEST_F(StoreTest, RefusesObjectLargerThanAShardAndKeepsOthers) {
    Store store(one_shard(4096));
    ASSERT_TRUE(store.insert(make("small", 100)));
    EXPECT_FALSE(store.insert(make("huge", 5000)));
    EXPECT_NE(store.lookup("small", clock.now()), nullptr);  // nothing was evicted for it
}

TEST_F(StoreTest, FortyObjectsOf100kBInOneMiB) {
    StoreLimits l;  // default shards and max_object_size: a small store gets fewer shards
    l.max_size = 1024 * 1024;
    Store store(l);
    EXPECT_EQ(store.limits().shards, 1u);
    for (int i = 0; i < 40; ++i)
        ASSERT_TRUE(store.insert(make("/page/" + std::to_string(i), 100 * 1000))) << i;
    const std::size_t fit = l.max_size / make("/page/00", 100 * 1000)->charge();
    auto s = store.stats();
    EXPECT_EQ(s.objects, fit);
    EXPECT_EQ(s.evictions, 40 - fit);
    EXPECT_LE(s.bytes, l.max_size);
    EXPECT_NE(store.lookup("/page/39", clock.now()), nullptr);
    EXPECT_NE(store.lookup("/page/" + std::to_string(40 - fit), clock.now()), nullptr);
    EXPECT_EQ(store.lookup("/page/" + std::to_string(39 - fit), clock.now()), nullptr);
    EXPECT_EQ(store.lookup("/page/0", clock.now()), nullptr);
}

TEST_F(StoreTest, ShardCountIsRoundedToPowerOfTwo) {
    StoreLimits l;
    l.shards = 5;
    EXPECT_EQ(Store(l).limits().shards, 8u);
    l.shards = 0;
    EXPECT_EQ(Store(l).limits().shards, 1u);
}

TEST_F(StoreTest, EraseAndErasePrefix) {
    Store store(StoreLimits{});
    for (auto k : {"GET example.com/a", "GET example.com/a/1", "GET example.com/b", "GET other/a"})
        ASSERT_TRUE(store.insert(make(k)));
    EXPECT_TRUE(store.erase("GET example.com/b"));
    EXPECT_FALSE(store.erase("GET example.com/b"));
    EXPECT_EQ(store.erase_prefix("GET example.com/a"), 2u);
    EXPECT_EQ(store.lookup("GET example.com/a", clock.now()), nullptr);
    EXPECT_NE(store.lookup("GET other/a", clock.now()), nullptr);
    EXPECT_EQ(store.erase_prefix("nothing"), 0u);
    EXPECT_EQ(store.erase_prefix(""), 1u);
    EXPECT_EQ(store.stats().objects, 0u);
    EXPECT_EQ(store.stats().bytes, 0u);
    EXPECT_TRUE(store.check_invariants());
}

TEST(StoreGrace, StaleObjectIsRetainedForItsWindowsButNotAHit) {
    obs::ManualClock clock;
    Store store({.max_size = 1 << 20, .max_objects = 100, .max_object_size = 1 << 16, .shards = 1});
    ObjectDraft o;
    o.key = "k";
    o.body = "b";
    o.stored_at = clock.now();
    o.expires_at = clock.now() + 10s;
    o.grace_until = o.expires_at + 5s;
    o.error_until = o.expires_at + 60s;
    ASSERT_TRUE(store.insert(Object::make(o)));
    clock.advance(11s);
    EXPECT_EQ(store.lookup("k", clock.now()), nullptr);  // not fresh
    auto kept = store.lookup_servable("k", clock.now());
    ASSERT_NE(kept, nullptr);
    EXPECT_FALSE(kept->fresh(clock.now()));
    EXPECT_TRUE(kept->servable_in_grace(clock.now()));
    clock.advance(10s);
    kept = store.lookup_servable("k", clock.now());
    ASSERT_NE(kept, nullptr);
    EXPECT_FALSE(kept->servable_in_grace(clock.now()));
    EXPECT_TRUE(kept->servable_on_error(clock.now()));
    clock.advance(60s);
    EXPECT_EQ(store.lookup_servable("k", clock.now()), nullptr);  // past retention: dropped
    EXPECT_EQ(store.stats().objects, 0u);
}

}  // namespace
}  // namespace larder::cache
