// Everything the store holds on the heap is charged to its byte budget (issue 16): this binary's
// operator new (counting_new.hpp) counts what malloc holds for every allocation, and the test
// compares what a store holds after traffic (objects with urls, tags, query, Vary variants,
// hit-for-pass markers, flights with waiters, grown indexes) with what it charges. An index or a
// structure that grows with traffic without being charged makes it fail.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "counting_new.hpp"
#include "larder/cache/store.hpp"
#include "larder/cache/vary.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

std::int64_t held() {
    return testing::held_bytes();
}

TEST(MemoryAccounting, EverythingTheStoreHoldsIsCharged) {
#ifndef LARDER_COUNT_ALLOCATIONS
    GTEST_SKIP() << "the sanitizers bring their own operator new";
#endif
    obs::ManualClock clock;
    StoreLimits limits;
    limits.max_size = 64 << 20;  // nothing is evicted: what is held is what was put in
    limits.shards = 1;
    limits.max_uncacheable = 1'000'000;
    std::vector<FlightPtr> flights;
    flights.reserve(1000);  // the test's own memory, allocated before the baseline
    const InternedName rule = "memory-accounting";  // interned once per process, not per object
    const std::int64_t before_store = held();
    auto store = std::make_unique<Store>(limits);
    const std::int64_t baseline = held();  // the store's fixed part is not charged

    const auto judge = [&](const Object& o) {
        return o.fresh(clock.now()) ? Usability::Fresh : Usability::Unusable;
    };
    for (int i = 0; i < 3000; ++i) {  // objects: plain, with query and tags, and variants
        ObjectDraft o;
        const std::string primary = "GET http://example.com/page/" + std::to_string(i);
        if (i % 5 == 0) {
            o.key = variant_key(primary, "en-" + std::to_string(i % 3));
            o.meta.vary = "accept-language";
        } else {
            o.key = primary;
        }
        o.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
        o.body = std::string(200 + i % 700, 'b');
        o.url = "http://example.com/page/" + std::to_string(i);
        if (i % 3 == 0) o.url_query = "q=" + std::to_string(i) + std::string(30, 'x');
        if (i % 4 == 0) o.tags = "section-" + std::to_string(i % 10) + " page-" + std::to_string(i);
        o.meta.etag = "\"etag-of-a-page-" + std::to_string(i) + "\"";
        o.rule_name = rule;
        o.stored_at = clock.now();
        o.expires_at = clock.now() + 1h;
        ASSERT_TRUE(store->insert(Object::make(o)));
    }
    for (int i = 0; i < 2000; ++i)  // hit-for-pass markers with long keys
        store->mark_uncacheable(Key::from("GET http://example.com/uncacheable/" +
                                          std::to_string(i) + "?" + std::string(i % 200, 'u')),
                                clock.now());
    std::uint64_t called = 0;
    for (int i = 0; i < 1000; ++i) {  // flights, most with waiters (coalescing)
        Lookup l = store->lookup_or_join(
            Key::from("GET http://example.com/slow/" + std::to_string(i) + std::string(40, 's')),
            {}, judge, clock.now());
        ASSERT_EQ(l.kind, Lookup::Kind::Leader);
        for (int w = 0; w < i % 5; ++w) {
            std::array<char, 48> state{};  // a waiter's callback state, as large as the pipeline's
            store->wait(l.flight, [&called, state](ObjectPtr) { called += state.size(); });
        }
        flights.push_back(std::move(l.flight));
    }

    StoreStats s = store->stats();
    ASSERT_EQ(s.objects, 3000u);
    ASSERT_EQ(s.pass_markers, 2000u);
    ASSERT_EQ(s.flights, 1000u);
    EXPECT_GT(s.flight_bytes, 0u);
    EXPECT_GT(s.index_bytes, 0u);
    const auto in_store = static_cast<std::size_t>(held() - baseline);
    EXPECT_LE(in_store, s.bytes) << "the store holds more than it charges";
    // Charges are upper bounds (a tag head per tagged object, an entry per variant), not wild.
    EXPECT_GE(in_store, s.bytes * 9 / 10);
    EXPECT_TRUE(store->check_invariants());

    // Flights end (their waiters run), everything expires: what is left is still charged.
    for (auto& f : flights) store->complete(f, nullptr, false, clock.now());
    flights.clear();
    EXPECT_GT(called, 0u);
    clock.advance(2h);
    store->expire(clock.now());
    s = store->stats();
    EXPECT_EQ(s.objects + s.pass_markers + s.flights + s.flight_bytes, 0u);
    EXPECT_LE(static_cast<std::size_t>(held() - baseline), s.bytes);
    EXPECT_TRUE(store->check_invariants());
    store.reset();
    EXPECT_EQ(held(), before_store) << "a store leaves nothing behind";
}

}  // namespace
}  // namespace larder::cache
