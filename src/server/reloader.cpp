#include "larder/server/reloader.hpp"

#include <spdlog/spdlog.h>

#include "larder/config/lint.hpp"
#include "larder/config/loader.hpp"

namespace larder::server {

std::string_view to_string(ReloadError e) {
    switch (e) {
        case ReloadError::None:
            return "none";
        case ReloadError::InvalidConfig:
            return "invalid_config";
        case ReloadError::CannotApply:
            return "cannot_apply";
        case ReloadError::CannotListen:
            return "cannot_listen";
        case ReloadError::Stopping:
            return "stopping";
    }
    return "unknown";
}

namespace {
template <typename T>
void keep(std::vector<std::string>& changed, std::string_view key, const T& running, T& next) {
    if (next == running) return;
    changed.emplace_back(key);
    next = running;
}
}  // namespace

std::vector<std::string> keep_restart_only_settings(const config::Config& running,
                                                    config::Config& next) {
    std::vector<std::string> changed;
    // The worker threads, their counter blocks and the store are made once, at start.
    keep(changed, "server.workers", running.server.workers, next.server.workers);
    keep(changed, "cache.max_size", running.cache.max_size, next.cache.max_size);
    keep(changed, "cache.max_objects", running.cache.max_objects, next.cache.max_objects);
    keep(changed, "cache.max_object_size", running.cache.max_object_size,
         next.cache.max_object_size);
    keep(changed, "cache.max_variants", running.cache.max_variants, next.cache.max_variants);
    keep(changed, "cache.uncacheable_ttl", running.cache.uncacheable_ttl,
         next.cache.uncacheable_ttl);
    keep(changed, "cache.max_uncacheable", running.cache.max_uncacheable,
         next.cache.max_uncacheable);
    keep(changed, "purge.window", running.purge.window, next.purge.window);
    keep(changed, "purge.max_pending", running.purge.max_pending, next.purge.max_pending);
    // Swapping spdlog's default logger under running threads is not safe.
    keep(changed, "log.error", running.log.error, next.log.error);
    // The admin listener serves the reload itself.
    keep(changed, "admin", running.admin, next.admin);
    // The snapshot is loaded at start and the purge bus (node name, Redis) made once.
    keep(changed, "cache.snapshot", running.cache.snapshot, next.cache.snapshot);
    keep(changed, "cache.snapshot_interval", running.cache.snapshot_interval,
         next.cache.snapshot_interval);
    keep(changed, "cluster", running.cluster, next.cluster);
    // The compression threads are started once; the other [compression] settings reload.
    keep(changed, "compression.threads", running.compression.threads, next.compression.threads);
    return changed;
}

Reloader::Reloader(Options options, proxy::CurrentGeneration& generations, Server& server,
                   proxy::DaemonParts parts)
    : options_(std::move(options)), generations_(generations), server_(server), parts_(parts) {}

void Reloader::stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
}

ReloadOutcome Reloader::reload(std::string_view trigger) {
    std::lock_guard lock(mutex_);
    spdlog::info("reload ({}): reading {}", trigger, options_.config_path);
    ReloadOutcome outcome = attempt();
    if (outcome.ok()) {
        ok_.fetch_add(1, std::memory_order_relaxed);
        for (const auto& key : outcome.needs_restart)
            spdlog::warn("reload: {} changed: needs restart (the running value is kept)", key);
        spdlog::info("reload ({}): generation {} in use after {:.1f} ms", trigger,
                     outcome.generation, outcome.took.count() / 1000.0);
    } else {
        failed_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("reload ({}) failed, still serving generation {}: {}: {}", trigger,
                      outcome.generation, to_string(outcome.error), outcome.message);
    }
    return outcome;
}

ReloadOutcome Reloader::attempt() {
    const auto started = std::chrono::steady_clock::now();
    ReloadOutcome out;
    proxy::GenerationPtr running = generations_.get();
    out.generation = running->number;
    if (stopped_) {
        out.error = ReloadError::Stopping;
        out.message = "the daemon is stopping";
        return out;
    }
    config::Config next;
    try {
        next = config::load_file(options_.config_path);
    } catch (const config::ConfigError& e) {
        out.error = ReloadError::InvalidConfig;
        out.message = e.what();
        return out;
    }
    if (options_.log_level_override) next.log.level = *options_.log_level_override;
    for (const auto& w : config::lint(next))
        spdlog::warn("{}: {}: {}", config::location(next.source_path, w), w.key, w.message);
    out.needs_restart = keep_restart_only_settings(running->config, next);

    proxy::GenerationPtr built;
    try {
        built =
            proxy::Generation::build(std::move(next), running->number + 1, running.get(), parts_);
    } catch (const std::exception& e) {
        out.error = ReloadError::CannotApply;
        out.message = e.what();
        return out;
    }
    for (const auto& name : built->rules_without_row)
        spdlog::warn("reload: rule \"{}\": no counter row left, counted as no rule until restart",
                     name);
    const bool listen_changed = built->config.server.listen != running->config.server.listen;
    if (listen_changed) {
        try {
            out.addresses = server_.rebind(built->config.server.listen);
        } catch (const std::exception& e) {
            out.error = ReloadError::CannotListen;
            out.message = e.what();
            return out;
        }
    }
    spdlog::default_logger()->set_level(spdlog::level::from_str(built->config.log.level));
    generations_.publish(built);
    out.generation = built->number;
    out.took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (listen_changed && options_.addresses_changed) options_.addresses_changed(out.addresses);
    return out;
}

}  // namespace larder::server
