// Microbenchmarks for cache::Store: lookup hit and miss, insert with eviction, concurrent
// lookups, and the measured per-object overhead (charge() minus key, head and body sizes).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"

namespace {

using namespace larder;
using namespace std::chrono_literals;

constexpr int kObjects = 10'000;

cache::ObjectPtr make_object(std::string key, std::size_t body, obs::TimePoint now) {
    cache::ObjectDraft o;
    o.key = std::move(key);
    o.head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + std::to_string(body) +
        "\r\n";
    o.body.assign(body, 'x');
    o.stored_at = now;
    o.expires_at = now + 3600s;
    return cache::Object::make(o);
}

std::vector<std::string> make_keys(int n, const char* prefix) {
    std::vector<std::string> keys;
    keys.reserve(n);
    for (int i = 0; i < n; ++i) keys.push_back(std::string(prefix) + std::to_string(i));
    return keys;
}

// One store shared by the single- and multi-threaded lookup benchmarks.
struct Fixture {
    obs::ManualClock clock;
    cache::Store store{cache::StoreLimits{}};
    std::vector<std::string> hit_keys = make_keys(kObjects, "GET example.com/page/");
    std::vector<std::string> miss_keys = make_keys(kObjects, "GET example.com/absent/");
    Fixture() {
        for (const auto& k : hit_keys) store.insert(make_object(k, 2048, clock.now()));
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void BM_LookupHit(benchmark::State& state) {
    auto& f = fixture();
    const auto now = f.clock.now();
    std::size_t i = state.thread_index() * 7919;
    for (auto _ : state) {
        auto o = f.store.lookup(f.hit_keys[i++ % kObjects], now);
        benchmark::DoNotOptimize(o);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupHit);
BENCHMARK(BM_LookupHit)->Threads(2)->UseRealTime()->Name("BM_LookupHit_2threads");

void BM_LookupMiss(benchmark::State& state) {
    auto& f = fixture();
    const auto now = f.clock.now();
    std::size_t i = 0;
    for (auto _ : state) {
        auto o = f.store.lookup(f.miss_keys[i++ % kObjects], now);
        benchmark::DoNotOptimize(o);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupMiss);

// A full store: every insert of a new key evicts the least recently used object. Objects are
// built outside the timed region, so this measures the store, not make_shared.
void BM_InsertWithEviction(benchmark::State& state) {
    obs::ManualClock clock;
    cache::StoreLimits limits;
    limits.max_size = 4 * 1024 * 1024;
    cache::Store store(limits);
    const auto keys = make_keys(4 * kObjects, "GET example.com/churn/");
    std::vector<cache::ObjectPtr> batch;
    std::size_t next = 0;
    for (auto _ : state) {
        if (batch.empty()) {
            state.PauseTiming();
            for (int j = 0; j < 1024; ++j)
                batch.push_back(make_object(keys[next++ % keys.size()], 2048, clock.now()));
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(store.insert(std::move(batch.back())));
        batch.pop_back();
    }
    const auto s = store.stats();
    state.counters["evictions_per_insert"] =
        static_cast<double>(s.evictions) / static_cast<double>(s.inserts);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InsertWithEviction);

void BM_PerObjectOverhead(benchmark::State& state) {
    const auto o = make_object(std::string(48, 'k'), 2048, obs::TimePoint{});
    std::size_t charge = 0;
    for (auto _ : state) {
        charge = o->charge();
        benchmark::DoNotOptimize(charge);
    }
    state.counters["overhead_bytes"] =
        static_cast<double>(charge - o->key().size() - o->head().size() - o->body().size());
    state.counters["bookkeeping_bytes"] = static_cast<double>(cache::Object::bookkeeping_bytes());
    state.counters["sizeof_Object"] = static_cast<double>(sizeof(cache::Object));
}
BENCHMARK(BM_PerObjectOverhead);

}  // namespace
