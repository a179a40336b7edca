// Purge costs (issue 13's target: a tag purge of 1,000 objects among 1,000,000 under 50 ms).
// Each iteration refills the purged objects outside the timing, then times one purge.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"
#include "larder/proxy/purge.hpp"

namespace {

using namespace larder;

cache::ObjectPtr object(int i, bool tagged) {
    cache::ObjectDraft o;
    o.key = "example.com/p/" + std::to_string(i);
    o.url = "http://" + o.key;
    o.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
    o.body = "x";
    o.expires_at = obs::TimePoint{} + std::chrono::hours(24 * 365 * 50);
    o.tags = tagged ? "hot all" : "all";
    return cache::Object::make(o);
}

struct Filled {
    std::unique_ptr<cache::Store> store;
    explicit Filled(int n) {
        cache::StoreLimits limits;
        limits.max_size = std::size_t{4} << 30;
        limits.max_objects = 2'000'000;
        limits.shards = 16;
        store = std::make_unique<cache::Store>(limits);
        for (int i = 0; i < n; ++i) store->insert(object(i, i % (n / 1000) == 0));
    }
};

cache::Purge tag_purge(const std::string& tag) {
    cache::Purge p{.kind = cache::PurgeKind::Tag, .soft = false, .subject = tag, .matches = {}};
    p.matches = [](const cache::Object&) { return false; };  // fetch vetting only
    return p;
}

void BM_TagPurge1000Of1M(benchmark::State& state) {
    static Filled filled(1'000'000);
    const int n = 1'000'000;
    for (auto _ : state) {
        state.PauseTiming();
        for (int i = 0; i < n; i += n / 1000) filled.store->insert(object(i, true));
        state.ResumeTiming();
        auto r = filled.store->purge(tag_purge("hot"), obs::TimePoint{});
        if (r.objects != 1000) state.SkipWithError("expected 1000 objects purged");
        state.PauseTiming();
        filled.store->retire_purges(obs::TimePoint{} + std::chrono::hours(24 * 365 * 50));
        state.ResumeTiming();
    }
    state.counters["objects_stored"] = static_cast<double>(filled.store->stats().objects);
}
BENCHMARK(BM_TagPurge1000Of1M)->Unit(benchmark::kMillisecond)->Iterations(10);

void BM_PrefixPurgeSweep1M(benchmark::State& state) {
    static Filled filled(1'000'000);
    for (auto _ : state) {
        cache::Purge p{
            .kind = cache::PurgeKind::Prefix, .soft = true, .subject = "x", .matches = {}};
        p.matches = [](const cache::Object& o) { return o.url().ends_with("/7"); };
        auto r = filled.store->purge(std::move(p), obs::TimePoint{});
        benchmark::DoNotOptimize(r);
        state.PauseTiming();
        filled.store->retire_purges(obs::TimePoint{} + std::chrono::hours(24 * 365 * 50));
        state.ResumeTiming();
    }
}
BENCHMARK(BM_PrefixPurgeSweep1M)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
