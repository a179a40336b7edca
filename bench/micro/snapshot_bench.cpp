// Microbenchmarks for the warm-restart snapshot (cache/snapshot.hpp): write_snapshot and
// load_snapshot of a full store, for 64 KiB and 4 KiB bodies, with the file on disk.
//
// The store holds LARDER_SNAPSHOT_BENCH_MIB MiB of bodies (default 128; the figures in
// docs/performance.md use 1024) and the file goes to LARDER_SNAPSHOT_BENCH_DIR (default
// /var/tmp). Each write includes its fdatasync, rename and directory fsync. Before each load the
// file's pages are dropped from the page cache (posix_fadvise DONTNEED, which works on clean
// pages without privileges), so the load reads the disk. bytes_per_second is file bytes.
// bench/tools/snapshot-vs-dd runs these beside dd.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "larder/cache/snapshot.hpp"
#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"

namespace {

using namespace larder;
using namespace std::chrono_literals;

std::size_t store_mib() {
    const char* env = std::getenv("LARDER_SNAPSHOT_BENCH_MIB");
    return env ? std::strtoull(env, nullptr, 10) : 128;
}

std::string snapshot_path(std::size_t body) {
    const char* env = std::getenv("LARDER_SNAPSHOT_BENCH_DIR");
    return std::string(env ? env : "/var/tmp") + "/larder-bench-" + std::to_string(body) +
           ".snapshot";
}

cache::StoreLimits limits() {
    cache::StoreLimits l;
    l.max_size = (store_mib() + store_mib() / 4 + 64) << 20;  // bodies plus bookkeeping
    l.max_object_size = 1 << 20;
    l.max_objects = 100'000'000;
    return l;
}

std::unique_ptr<cache::Store> filled(std::size_t body, obs::TimePoint now) {
    auto store = std::make_unique<cache::Store>(limits());
    const std::size_t n = (store_mib() << 20) / body;
    for (std::size_t i = 0; i < n; ++i) {
        cache::ObjectDraft o;
        o.key = "GET|www.example.com|/page/" + std::to_string(i);
        o.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: \"" +
                  std::to_string(i) + "\"\r\n";
        o.body.assign(body, static_cast<char>('a' + i % 26));
        o.stored_at = now;
        o.expires_at = now + 3600s;
        o.url = "http://www.example.com/page/" + std::to_string(i);
        o.rule_name = "pages";
        store->insert(cache::Object::make(o));
    }
    return store;
}

void drop_page_cache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

void BM_SnapshotWrite(benchmark::State& state) {
    const auto body = static_cast<std::size_t>(state.range(0));
    obs::ManualClock clock;
    const auto store = filled(body, clock.now());
    const std::string path = snapshot_path(body);
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        const cache::SnapshotWrite w = cache::write_snapshot(*store, path, clock.now());
        if (!w.ok) state.SkipWithError(w.error.c_str());
        bytes += w.bytes;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["objects"] = static_cast<double>(store->stats().objects);
}

void BM_SnapshotLoad(benchmark::State& state) {
    const auto body = static_cast<std::size_t>(state.range(0));
    obs::ManualClock clock;
    const std::string path = snapshot_path(body);
    {
        const auto store = filled(body, clock.now());
        if (!cache::write_snapshot(*store, path, clock.now()).ok) state.SkipWithError("write");
    }
    std::uint64_t bytes = 0;
    std::uint64_t loaded = 0;
    for (auto _ : state) {
        state.PauseTiming();
        drop_page_cache(path);
        auto store = std::make_unique<cache::Store>(limits());
        state.ResumeTiming();
        const cache::SnapshotLoad r = cache::load_snapshot(*store, path, clock.now());
        if (r.problem != cache::SnapshotProblem::None) state.SkipWithError(to_string(r.problem));
        bytes += r.bytes;
        loaded = r.loaded;
        state.PauseTiming();
        store.reset();  // freeing a GiB is not the load's time
        state.ResumeTiming();
    }
    std::filesystem::remove(path);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["objects"] = static_cast<double>(loaded);
}

BENCHMARK(BM_SnapshotWrite)
    ->Arg(64 << 10)
    ->Arg(4 << 10)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SnapshotLoad)
    ->Arg(64 << 10)
    ->Arg(4 << 10)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace
