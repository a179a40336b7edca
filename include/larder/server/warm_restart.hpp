// server::WarmRestart: the daemon's side of [cache] snapshot (cache/snapshot.hpp): load at
// start, optional periodic writes, the last write after the drain, one log line for each.
//
// load() runs before the workers start serving, so the first request can hit what was stored
// before the restart; it then removes the file: a snapshot is consumed once, so after a crash
// (no orderly stop to write a new one) the next start does not bring back objects that were
// purged while the crashed process ran. With snapshot_interval set, a background thread writes
// the snapshot that often while serving (the store is locked per shard only to copy object
// pointers), so a crash loses at most that interval of cache and the purges made since the last
// write are forgotten (they come back only if the objects were still in that snapshot; see
// docs/operations.md). save() stops that thread and writes the snapshot once more; it runs
// after the drain, when no request is in flight. Nothing is written when [cache] snapshot is
// empty. A file at the path that is not a snapshot (bad magic) or cannot be read is left alone:
// not removed, and no snapshot is written over it (two log lines say so). The snapshot path is
// read once at start: a hot reload that changes it takes effect at
// the next start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "larder/cache/snapshot.hpp"
#include "larder/cache/store.hpp"
#include "larder/config/config.hpp"
#include "larder/obs/clock.hpp"

namespace larder::server {

class WarmRestart {
  public:
    // Throws std::runtime_error when a snapshot is configured in a directory that does not exist
    // or cannot be written (found at start, not at the first stop).
    WarmRestart(cache::Store& store, const config::CacheConfig& config, const obs::Clock& clock);
    ~WarmRestart();  // stops the periodic thread, writes nothing
    WarmRestart(const WarmRestart&) = delete;
    WarmRestart& operator=(const WarmRestart&) = delete;

    bool enabled() const { return !path_.empty(); }
    // Reads the snapshot into the store and logs one line (loaded, dropped, why it stopped early,
    // how long it took); removes the file. Never throws for the file's content.
    cache::SnapshotLoad load();
    // Starts the periodic writes when snapshot_interval > 0.
    void start_periodic();
    // Stops the periodic writes and writes the snapshot; logs one line.
    cache::SnapshotWrite save();

  private:
    cache::SnapshotWrite write(const char* why);
    void stop_periodic();

    cache::Store& store_;
    const obs::Clock& clock_;
    std::string path_;
    std::chrono::milliseconds interval_;
    bool foreign_ = false;  // the file at path_ is not a snapshot: never removed nor replaced
    std::mutex write_mu_;   // one write at a time (the periodic thread and save())
    std::mutex mu_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mu_
    std::thread periodic_;
};

}  // namespace larder::server
