// Concurrency stress for cache::Store: four threads hammer overlapping keys with lookups,
// inserts (replacing and evicting), erases and the odd purge, under a budget small enough that
// almost every insert evicts; then with lookup_or_join, flights ended now or later (with an
// object, nullptr or hit-for-pass), waiters, Vary variants and URL purges, where a third of
// the keys are long enough for their hit-for-pass markers to compete with objects for the byte
// budget. Meant to run under ThreadSanitizer as well (LARDER_SANITIZE=thread).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "larder/cache/store.hpp"
#include "larder/cache/vary.hpp"
#include "larder/http/headers.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

TEST(StoreStressTest, ConcurrentLookupInsertEraseKeepInvariants) {
    StoreLimits limits;
    limits.max_size = 64 * 1024;
    limits.max_objects = 40;
    limits.max_object_size = 8 * 1024;
    limits.shards = 4;
    Store store(limits);
    ASSERT_EQ(store.limits().shards, 2u);  // 64 KiB holds 4 max-size objects only in 2 shards
    obs::ManualClock clock;

    constexpr int kThreads = 4;
    constexpr int kOps = 100'000;
    constexpr int kKeys = 96;
    std::atomic<std::uint64_t> lookups{0}, bad_objects{0}, over_budget{0};

    auto worker = [&](int id) {
        std::mt19937 rng(1234 + id);
        std::uniform_int_distribution<int> key_dist(0, kKeys - 1), op_dist(0, 999);
        std::uniform_int_distribution<std::size_t> size_dist(0, 9 * 1024);  // some too large
        for (int i = 0; i < kOps; ++i) {
            const int k = key_dist(rng);
            const std::string key = "GET host/" + std::to_string(k);
            const int op = op_dist(rng);
            if (op < 550) {
                auto o = store.lookup(key, clock.now());
                ++lookups;
                // Whatever we got must be an intact object for this key.
                if (o && (o->key() != key ||
                          (!o->body().empty() && o->body().find_first_not_of(static_cast<char>(
                                                     'a' + k % 26)) != std::string::npos)))
                    ++bad_objects;
            } else if (op < 900) {
                ObjectDraft o;
                o.key = key;
                o.head = "HTTP/1.1 200 OK\r\n";
                o.body.assign(size_dist(rng), static_cast<char>('a' + k % 26));
                o.stored_at = clock.now();
                o.expires_at = clock.now() + std::chrono::milliseconds(1 + rng() % 5000);
                store.insert(Object::make(o));
            } else if (op < 990) {
                store.erase(key);
            } else if (op < 995) {
                store.erase_prefix("GET host/" + std::to_string(k % 10));
            } else {
                clock.advance(10ms);
                auto s = store.stats();
                if (s.bytes > limits.max_size || s.objects > limits.max_objects) ++over_budget;
            }
        }
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
    for (auto& t : threads) t.join();

    EXPECT_EQ(bad_objects.load(), 0u);
    EXPECT_EQ(over_budget.load(), 0u);
    EXPECT_TRUE(store.check_invariants());
    auto s = store.stats();
    EXPECT_LE(s.bytes, limits.max_size);
    EXPECT_LE(s.objects, limits.max_objects);
    EXPECT_EQ(s.hits + s.misses, lookups.load());
    EXPECT_LE(s.expired, s.misses);
    EXPECT_GT(s.hits, 0u);
    EXPECT_GT(s.evictions, 0u);
    EXPECT_GT(s.rejected, 0u);
    EXPECT_LE(s.objects, s.inserts);
}

TEST(StoreStressTest, ConcurrentLookupOrJoinCompleteInsertEraseReturnToEmpty) {
    StoreLimits limits;
    limits.max_size = 128 * 1024;
    limits.max_objects = 64;
    limits.max_object_size = 8 * 1024;
    limits.shards = 4;
    limits.max_variants = 2;
    limits.uncacheable_ttl = std::chrono::milliseconds(200);
    limits.max_uncacheable = 16;
    Store store(limits);
    obs::ManualClock clock;

    constexpr int kThreads = 4;
    constexpr int kOps = 60'000;
    constexpr int kKeys = 48;
    const char* const kLangs[] = {"en", "fr", "de"};
    const std::string long_tail = "?" + std::string(2048, 'q');
    std::atomic<std::uint64_t> lookups{0}, registered{0}, called{0}, wrong_answers{0},
        over_budget{0};

    auto worker = [&](int id) {
        std::mt19937 rng(99 + id);
        std::uniform_int_distribution<int> key_dist(0, kKeys - 1), op_dist(0, 999), lang_dist(0, 2);
        std::uniform_int_distribution<std::size_t> size_dist(0, 9 * 1024);  // some too large
        std::vector<FlightPtr> pending;  // flights this thread leads and ends later

        // An object for `flight`: a variant for its language on odd keys (Vary appears on the
        // first miss, so a plain flight may end with a variant), else the plain object.
        auto build = [&](const std::string& primary, int k, const char* lang) {
            ObjectDraft o;
            if (k % 2) {
                http::HeaderList h;
                h.add("Accept-Language", lang);
                o.key = variant_key(primary, secondary_key("accept-language", h));
                o.meta.parsed = true;
                o.meta.vary = "accept-language";
            } else {
                o.key = primary;
            }
            o.head = "HTTP/1.1 200 OK\r\n";
            o.body.assign(size_dist(rng), static_cast<char>('a' + k % 26));
            o.url = "http://host/" + std::to_string(k % 8);
            o.stored_at = clock.now();
            o.expires_at = clock.now() + std::chrono::milliseconds(1 + rng() % 500);
            o.grace_until = o.expires_at + std::chrono::milliseconds(rng() % 200);
            o.error_until = o.grace_until + std::chrono::milliseconds(rng() % 200);
            return Object::make(o);
        };
        auto end = [&](const FlightPtr& f, int k) {
            const int how = op_dist(rng);
            if (how < 600)
                store.complete(f, build(f->primary().text, k, kLangs[lang_dist(rng)]), false,
                               clock.now());
            else if (how < 800)
                store.complete(f, nullptr, true, clock.now());
            else if (how < 950)
                store.complete(f, nullptr, false, clock.now());
            else
                store.hand_over(f, nullptr);
        };

        for (int i = 0; i < kOps; ++i) {
            const int k = key_dist(rng);
            // Every third key is ~2 KB long: its markers weigh as much as a small object.
            const std::string primary =
                "GET host/" + std::to_string(k) + (k % 3 == 0 ? long_tail : std::string());
            const char* lang = kLangs[lang_dist(rng)];
            const int op = op_dist(rng);
            if (op < 600) {
                http::HeaderList headers;
                headers.add("Accept-Language", lang);
                const auto now = clock.now();
                Lookup l = store.lookup_or_join(
                    Key::from(primary), headers,
                    [now](const Object& o) {
                        if (o.fresh(now)) return Usability::Fresh;
                        if (o.servable_in_grace(now)) return Usability::Grace;
                        return Usability::Stale;
                    },
                    now);
                ++lookups;
                if (l.object && cache::primary_of(l.object->key()) != primary) ++wrong_answers;
                switch (l.kind) {
                    case Lookup::Kind::Hit:
                    case Lookup::Kind::HitForPass:
                        if (l.flight) ++wrong_answers;
                        break;
                    case Lookup::Kind::Grace:
                    case Lookup::Kind::Leader:
                        if (!l.flight && l.kind == Lookup::Kind::Leader) ++wrong_answers;
                        if (!l.flight) break;
                        if (rng() % 2)
                            end(l.flight, k);
                        else
                            pending.push_back(std::move(l.flight));
                        break;
                    case Lookup::Kind::Follower: {
                        ++registered;
                        // The answer is the waiter's own variant, or nullptr.
                        store.wait(l.flight, [&, primary, flight = l.flight](ObjectPtr o) {
                            ++called;
                            if (!o) return;
                            const std::string_view key = o->key();
                            const auto sep = key.find(kVariantSeparator);
                            if (key.substr(0, sep) != primary ||
                                (sep == std::string_view::npos) != flight->secondary().empty() ||
                                (sep != std::string_view::npos &&
                                 key.substr(sep + 1) != flight->secondary()))
                                ++wrong_answers;
                        });
                        break;
                    }
                }
            } else if (op < 700) {
                if (!pending.empty()) {
                    const std::size_t at = rng() % pending.size();
                    end(pending[at], k);
                    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(at));
                }
            } else if (op < 850) {
                store.insert(build(primary, k, lang));
            } else if (op < 900) {
                store.mark_uncacheable(Key::from(primary), clock.now());
            } else if (op < 950) {
                store.erase(primary);
            } else if (op < 980) {
                store.erase_at("http://host/" + std::to_string(k % 8), [k](const Object& o) {
                    return o.body().size() % 2 == static_cast<std::size_t>(k % 2);
                });
            } else if (op < 985) {
                store.erase_prefix("GET host/" + std::to_string(k % 10));
            } else if (op < 990) {
                store.expire(clock.now());
            } else {
                clock.advance(std::chrono::milliseconds(5));
                auto s = store.stats();
                // Flights are charged but never evicted: objects, markers and indexes make room
                // for them, and only they may (in a shard with nothing else left) go over.
                if (s.bytes - s.flight_bytes > limits.max_size || s.objects > limits.max_objects ||
                    s.pass_markers > limits.max_uncacheable)
                    ++over_budget;
            }
        }
        for (const auto& f : pending) end(f, 0);
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
    for (auto& t : threads) t.join();

    EXPECT_EQ(wrong_answers.load(), 0u);
    EXPECT_EQ(over_budget.load(), 0u);
    EXPECT_EQ(called.load(), registered.load());  // every waiter woke exactly once
    EXPECT_TRUE(store.check_invariants());
    auto s = store.stats();
    EXPECT_EQ(s.flights, 0u);
    EXPECT_EQ(s.flight_bytes, 0u);  // every flight's and waiter's charge given back
    EXPECT_EQ(s.hits + s.misses, lookups.load());
    EXPECT_GT(s.hits, 0u);
    EXPECT_GT(s.coalesced, 0u);
    EXPECT_GT(s.hit_for_pass, 0u);
    EXPECT_GT(s.evictions, 0u);
    EXPECT_GT(s.rejected, 0u);
    EXPECT_LE(s.bytes, limits.max_size);

    // Everything left is objects and markers: once their times are over, nothing remains.
    clock.advance(std::chrono::seconds(10));
    store.expire(clock.now());
    s = store.stats();
    EXPECT_EQ(s.objects, 0u);
    EXPECT_EQ(s.bytes, s.index_bytes);  // the grown bucket arrays stay (and stay charged)
    EXPECT_GT(s.index_bytes, 0u);
    EXPECT_EQ(s.pass_markers, 0u);
    EXPECT_EQ(s.entries, 0u);
    EXPECT_TRUE(store.check_invariants());
}

}  // namespace
}  // namespace larder::cache
