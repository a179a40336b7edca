#include "larder/server/warm_restart.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace larder::server {

namespace {

using Clock = std::chrono::steady_clock;

double mib(std::uint64_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

}  // namespace

WarmRestart::WarmRestart(cache::Store& store, const config::CacheConfig& config,
                         const obs::Clock& clock)
    : store_(store), clock_(clock), path_(config.snapshot), interval_(config.snapshot_interval) {
    if (path_.empty()) return;
    std::filesystem::path dir = std::filesystem::path(path_).parent_path();
    if (dir.empty()) dir = ".";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw std::runtime_error("[cache] snapshot: cannot write in " + dir.string() + ": " +
                                 std::strerror(errno));
}

WarmRestart::~WarmRestart() {
    stop_periodic();
}

cache::SnapshotLoad WarmRestart::load() {
    if (path_.empty()) return {};
    const auto started = Clock::now();
    const obs::TimePoint now = clock_.now();
    const cache::SnapshotLoad r = cache::load_snapshot(store_, path_, now);
    const long long ms = elapsed_ms(started);
    using cache::SnapshotProblem;
    if (r.problem == SnapshotProblem::Missing) {
        spdlog::info("snapshot {}: none, starting with an empty cache", path_);
        return r;
    }
    // Not ours (a config file named by mistake?) or unreadable: never removed nor replaced.
    foreign_ =
        r.problem == SnapshotProblem::NotSnapshot || r.problem == SnapshotProblem::Unreadable;
    const long long age_s =
        std::chrono::duration_cast<std::chrono::seconds>(now - r.written_at).count();
    if (r.problem == SnapshotProblem::None) {
        spdlog::info(
            "snapshot {}: loaded {} objects ({:.1f} MiB read) in {} ms; dropped {} expired, {} "
            "refused; written {} s ago",
            path_, r.loaded, mib(r.bytes), ms, r.expired, r.refused, age_s);
    } else if (foreign_) {
        spdlog::warn(
            "snapshot {}: {} at byte {}: starting with an empty cache; the file is left alone and "
            "no snapshot will be written over it",
            path_, cache::to_string(r.problem), r.problem_offset);
    } else {
        spdlog::warn(
            "snapshot {}: {} at byte {} (format version {}), ignoring the rest; kept {} objects "
            "verified before it, dropped {} expired, {} refused, in {} ms",
            path_, cache::to_string(r.problem), r.problem_offset, r.version, r.loaded, r.expired,
            r.refused, ms);
    }
    // Consumed: after a crash, the next start must not bring back what this process purges.
    if (!foreign_ && ::unlink(path_.c_str()) != 0)
        spdlog::warn("snapshot {}: cannot remove it after loading: {}", path_,
                     std::strerror(errno));
    return r;
}

cache::SnapshotWrite WarmRestart::write(const char* why) {
    std::lock_guard lock(write_mu_);
    if (foreign_) {
        spdlog::error("snapshot {} ({}): not written: not a snapshot, left alone", path_, why);
        cache::SnapshotWrite refused;
        refused.error = "not a snapshot: left alone";
        return refused;
    }
    const auto started = Clock::now();
    const cache::SnapshotWrite w = cache::write_snapshot(store_, path_, clock_.now());
    if (w.ok)
        spdlog::info("snapshot {} ({}): wrote {} objects ({:.1f} MiB) in {} ms", path_, why,
                     w.objects, mib(w.bytes), elapsed_ms(started));
    else
        spdlog::error("snapshot {} ({}): not written: {}", path_, why, w.error);
    return w;
}

void WarmRestart::start_periodic() {
    if (path_.empty() || interval_.count() <= 0 || periodic_.joinable()) return;
    periodic_ = std::thread([this] {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            write("periodic");
            lock.lock();
        }
    });
}

void WarmRestart::stop_periodic() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (periodic_.joinable()) periodic_.join();
}

cache::SnapshotWrite WarmRestart::save() {
    stop_periodic();
    if (path_.empty()) return {};
    return write("stop");
}

}  // namespace larder::server
