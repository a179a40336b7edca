// Concurrency stress for cache::Store: four threads hammer overlapping keys with lookups,
// inserts (replacing and evicting), erases and the odd purge, under a budget small enough that
// almost every insert evicts. Meant to run under ThreadSanitizer as well (LARDER_SANITIZE=thread).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "larder/cache/store.hpp"
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
                if (o && (o->key != key ||
                          (!o->body.empty() && o->body.find_first_not_of(static_cast<char>(
                                                   'a' + k % 26)) != std::string::npos)))
                    ++bad_objects;
            } else if (op < 900) {
                auto o = std::make_shared<Object>();
                o->key = key;
                o->head = "HTTP/1.1 200 OK\r\n";
                o->body.assign(size_dist(rng), static_cast<char>('a' + k % 26));
                o->stored_at = clock.now();
                o->expires_at = clock.now() + std::chrono::milliseconds(1 + rng() % 5000);
                store.insert(std::move(o));
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

}  // namespace
}  // namespace larder::cache
