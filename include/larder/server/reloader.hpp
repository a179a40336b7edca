// server::Reloader: a configuration reload (SIGHUP, or POST /reload on the admin API), all or
// nothing.
//
// reload() reads and checks the file with the loader (config::load_file: a mistake names file,
// line, column and key), builds the new proxy::Generation (rules compiled, upstream servers
// resolved, log files opened), opens the listen addresses that are new — and only then
// publishes the generation, closes the listeners that are gone and applies the log level. Any
// failure before publishing changes nothing: the daemon keeps serving with the generation it
// had, and the outcome says why (ReloadError and the message). Settings that cannot change
// while running (needs_restart(): the worker count, the store's sizes, the purge list, the
// error log target, the admin listener) keep their running value in the new generation and
// are reported as "needs restart". One reload at a time (a mutex); none once stop() was called
// (the daemon is draining). Counts ok and failed reloads for the admin API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/proxy/generation.hpp"
#include "larder/server/server.hpp"

namespace larder::server {

enum class ReloadError {
    None,
    InvalidConfig,  // the file does not load (config::ConfigError: file, line, key)
    CannotApply,    // valid, but something cannot be built (a server that does not resolve, ...)
    CannotListen,   // a new listen address cannot be bound
    Stopping,       // the daemon is draining
};
std::string_view to_string(ReloadError e);

struct ReloadOutcome {
    ReloadError error = ReloadError::None;
    std::string message;                     // why it failed; empty on success
    std::uint64_t generation = 0;            // the generation in use afterwards
    std::vector<std::string> needs_restart;  // "server.workers", ... (kept at running values)
    std::vector<std::string> addresses;      // listen addresses after the reload
    std::chrono::microseconds took{0};       // from reload() to the new generation published
    bool ok() const { return error == ReloadError::None; }
};

// The keys of `next` that differ from `running` and cannot change without a restart; copies
// their running values into `next`.
std::vector<std::string> keep_restart_only_settings(const config::Config& running,
                                                    config::Config& next);

class Reloader {
  public:
    struct Options {
        std::string config_path;
        std::optional<std::string> log_level_override;  // --log-level wins over [log] level
        // Called with the listen and admin addresses after a reload that changed listeners.
        std::function<void(const std::vector<std::string>&)> addresses_changed;
    };

    Reloader(Options options, proxy::CurrentGeneration& generations, Server& server,
             proxy::DaemonParts parts);

    // `trigger` says who asked ("SIGHUP", "admin API"), for the log.
    ReloadOutcome reload(std::string_view trigger);
    // No reload after this one returns (the daemon drains).
    void stop();

    std::uint64_t succeeded() const { return ok_.load(std::memory_order_relaxed); }
    std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

  private:
    ReloadOutcome attempt();

    Options options_;
    proxy::CurrentGeneration& generations_;
    Server& server_;
    proxy::DaemonParts parts_;
    std::mutex mutex_;
    bool stopped_ = false;
    std::atomic<std::uint64_t> ok_{0};
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace larder::server
