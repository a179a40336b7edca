// larder: the daemon's entry point. Parses the command line, loads and checks the config,
// builds the store and the first configuration generation (rules, upstream backends), binds,
// writes the ready file, runs the workers, reloads on SIGHUP (server::Reloader), and drains on
// SIGTERM or SIGINT. `larder explain ...` is handed to
// explain::run_command (include/larder/explain/command.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "larder/admin/explain_routes.hpp"
#include "larder/admin/observe_routes.hpp"
#include "larder/admin/purge_routes.hpp"
#include "larder/admin/reload_route.hpp"
#include "larder/admin/server.hpp"
#include "larder/cache/store.hpp"
#include "larder/cluster/cluster_routes.hpp"
#include "larder/cluster/purge_bus.hpp"
#include "larder/coding/pool.hpp"
#include "larder/config/lint.hpp"
#include "larder/config/loader.hpp"
#include "larder/explain/command.hpp"
#include "larder/http/spool_file.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/logging.hpp"
#include "larder/obs/rule_rows.hpp"
#include "larder/proxy/generation.hpp"
#include "larder/proxy/node_identity.hpp"
#include "larder/server/reloader.hpp"
#include "larder/server/server.hpp"
#include "larder/server/service_notify.hpp"
#include "larder/server/warm_restart.hpp"

namespace po = boost::program_options;
using namespace larder;

namespace {

constexpr int kExitConfigError = 2;
constexpr int kExitStartupError = 1;

void write_ready_file(const std::string& path, const std::vector<std::string>& addresses,
                      const std::vector<std::string>& admin_addresses) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        for (const auto& a : addresses) out << "http " << a << "\n";
        for (const auto& a : admin_addresses) out << "admin " << a << "\n";
        if (!out) throw std::runtime_error("cannot write ready file " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

// What a cluster node publishes about itself at each heartbeat (cluster/node_record.hpp).
cluster::NodeSummary node_summary(const admin::MetricsSnapshot& s) {
    cluster::NodeSummary out{.objects = s.store.objects, .bytes = s.store.bytes};
    for (std::size_t i = 0; i < s.by_status.size(); ++i) {
        out.requests += s.by_status[i];
        auto status = static_cast<proxy::CacheStatus>(i);
        if (status == proxy::CacheStatus::Hit || status == proxy::CacheStatus::Stale ||
            status == proxy::CacheStatus::Coalesced)
            out.from_cache += s.by_status[i];
    }
    return out;
}

// The daemon-wide parts a reload never replaces (the store is sized once, at start).
cache::StoreLimits store_limits(const config::Config& config) {
    return {
        .max_size = config.cache.max_size,
        .max_objects = config.cache.max_objects,
        .max_object_size = config.cache.max_object_size,
        .max_variants = config.cache.max_variants,
        .uncacheable_ttl = config.cache.uncacheable_ttl,
        .max_uncacheable = config.cache.max_uncacheable,
        .purge_window = std::chrono::duration_cast<std::chrono::milliseconds>(config.purge.window),
        .max_pending_purges = config.purge.max_pending};
}

// Counter rows for rule names: the first config's rules and room for those reloads add.
constexpr std::size_t kSpareRuleRows = 256;
constexpr std::size_t kSpareBackendRows = 16;

// POST /reload's answer from the reloader's outcome, with the service manager told around it.
admin::ReloadReport reload_for_admin(server::Reloader& reloader) {
    server::notify_reloading();
    server::ReloadOutcome outcome = reloader.reload("admin API");
    server::notify_ready("reloaded");
    return {.error = outcome.ok() ? "" : std::string(server::to_string(outcome.error)),
            .message = outcome.message,
            .generation = outcome.generation,
            .needs_restart = outcome.needs_restart,
            .took_ms = outcome.took.count() / 1000.0};
}

struct DaemonOptions {
    std::string config_path;  // what a reload reads again
    std::string ready_file;
    std::optional<std::string> log_level_override;
};

int run_daemon(config::Config config, const DaemonOptions& options,
               std::shared_ptr<spdlog::logger> access_log) {
    cache::Store store(store_limits(config));
    obs::SystemClock clock;
    obs::RuleRows rule_rows(config.rules.size() + kSpareRuleRows);
    std::atomic<bool> draining{false};  // set when the drain starts; every generation reads it
    // Store-time compression off the workers' event loops (docs/compression.md); joined right
    // after the drain, while the workers' io_contexts it resumes coroutines on still exist.
    coding::Pool compression_pool(config.compression.threads);
    const proxy::DaemonParts parts{.store = store,
                                   .clock = clock,
                                   .rule_rows = rule_rows,
                                   .draining = &draining,
                                   .compression_pool = &compression_pool};
    // Generation 1: rules, upstream servers (resolved, health checker started), access log.
    proxy::CurrentGeneration generations(
        proxy::Generation::build(std::move(config), 1, nullptr, parts, std::move(access_log)));
    const proxy::GenerationPtr first = generations.get();
    // A cluster node names itself in Via and X-Cache before any worker starts (scale-out.md).
    const std::string node = first->config.cluster.enabled
                                 ? cluster::resolve_node_name(first->config.cluster)
                                 : std::string();
    proxy::set_node_name(node);

    // Signals are taken over before anything is bound, so a SIGTERM right after the ready file
    // appears drains instead of killing the process; SIGHUP reloads (server/reloader.hpp).
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM, SIGHUP);

    // [cache] snapshot: checked now, loaded once every address is bound (a second instance on
    // a busy address leaves the file alone) and before serving, so the first requests can hit.
    server::WarmRestart warm_restart(store, first->config.cache, clock);

    server::Server server(generations,
                          {.rules = rule_rows.capacity(),
                           .backends = first->upstreams->backends.size() + kSpareBackendRows});
    auto addresses = server.bind();

    // The admin API (docs/admin-api.md): its own thread, routes added by each module.
    std::vector<std::string> admin_addresses;
    auto write_ready = [&](const std::vector<std::string>& listen) {
        addresses = listen;
        if (!options.ready_file.empty())
            write_ready_file(options.ready_file, addresses, admin_addresses);
    };
    server::Reloader reloader({.config_path = options.config_path,
                               .log_level_override = options.log_level_override,
                               .addresses_changed = write_ready},
                              generations, server, parts);
    obs::PurgeCounters purge_counters;
    admin::Router admin_router;
    admin::MetricsSources metrics{.workers = server.counters(),
                                  .store = &store,
                                  .purges = &purge_counters,
                                  .client_connections = &server.state().active_connections,
                                  .draining = &server.draining(),
                                  .rule_names = {},
                                  .version = LARDER_VERSION,
                                  .live = {}};
    metrics.live = [&generations, &rule_rows, &reloader] {
        proxy::GenerationPtr g = generations.get();
        const auto& cluster = g->upstreams->backends.front().cluster;
        return admin::LiveSources{
            .rule_names = rule_rows.names(),
            .health = std::shared_ptr<const upstream::HealthTable>(cluster, &cluster->health()),
            .config_generation = g->number,
            .reloads_ok = reloader.succeeded(),
            .reloads_failed = reloader.failed()};
    };
    metrics.node = node;

    // The snapshot first, then (a cluster node) the purges made since: nothing is served yet,
    // connections wait in the listen backlog.
    const cache::SnapshotLoad loaded = warm_restart.load();
    // [cluster]: purges through Redis, caught up before anything is served (purge_bus.hpp).
    obs::ClusterCounters cluster_counters;
    std::unique_ptr<cluster::PurgeBus> purge_bus;
    std::function<void(const proxy::PurgeOrder&)> publish_purge;
    if (first->config.cluster.enabled) {
        metrics.cluster = &cluster_counters;
        purge_bus = std::make_unique<cluster::PurgeBus>(cluster::PurgeBusParts{
            .config = first->config.cluster,
            .node = node,
            .generations = generations,
            .store = store,
            .clock = clock,
            .purge_counters = purge_counters,
            .counters = cluster_counters,
            .summary = [sources = metrics] { return node_summary(admin::collect(sources)); }});
        std::optional<obs::TimePoint> store_from;
        if (loaded.loaded > 0) store_from = loaded.written_at;
        purge_bus->catch_up(store_from);  // logs what it did
        cluster::add_cluster_routes(admin_router, *purge_bus);
        publish_purge = [bus = purge_bus.get()](const proxy::PurgeOrder& o) { bus->publish(o); };
    }
    admin::add_observe_routes(admin_router, std::move(metrics));
    admin::add_explain_routes(admin_router, generations, store, clock);
    admin::add_purge_routes(admin_router, generations, store, clock, purge_counters,
                            std::move(publish_purge));
    admin::add_reload_route(admin_router, [&reloader] { return reload_for_admin(reloader); });
    // The admin listener is not reloaded ([admin] changes need a restart): it keeps the first
    // generation's settings, which `first` holds.
    admin::AdminServer admin_server(first->config.admin, admin_router);
    admin_addresses = admin_server.bind();

    write_ready(addresses);
    server.start();
    admin_server.start();
    warm_restart.start_periodic();
    if (purge_bus) purge_bus->start();
    for (const auto& a : addresses)
        spdlog::info("larder {} listening on {} with {} workers, upstream {}", LARDER_VERSION, a,
                     server.workers(), first->upstreams->backends.front().name);
    for (const auto& a : admin_addresses) spdlog::info("admin API on http://{}/", a);
    server::notify_ready("serving");

    int received = 0;
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig != SIGHUP) {
                received = sig;
                return;
            }
            server::notify_reloading();
            reloader.reload("SIGHUP");
            server::notify_ready("reloaded");
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);
    signals_io.run();

    reloader.stop();
    server::notify_stopping();
    draining = true;  // responses still in flight say "Connection: close" (proxy::Shared)
    const auto drain_timeout = generations.get()->config.server.drain_timeout;
    spdlog::info("signal {}: draining {} connections (up to {} ms)", received,
                 server.active_connections(), drain_timeout.count());
    std::size_t cut = server.drain(drain_timeout);
    compression_pool.join();  // the workers have stopped
    if (cut > 0) spdlog::warn("drain timeout: closed {} connections still in flight", cut);
    admin_server.stop();               // after the drain: /healthz said 503 all along
    if (purge_bus) purge_bus->stop();  // publishes what is queued, if Redis answers
    warm_restart.save();               // after the drain: nothing is in flight
    spdlog::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    // Subcommands first: `larder explain ...` (include/larder/explain/command.hpp).
    if (argc >= 2 && std::string_view(argv[1]) == "explain")
        return explain::run_command(argc - 1, argv + 1);
    po::options_description options(
        "Usage: larder [options]\n       larder explain --config FILE URL [options] (see "
        "larder explain --help)\n\nOptions");
    options.add_options()("help,h", "show this help and exit")("version,V",
                                                               "print the version and exit")(
        "config,c", po::value<std::string>()->default_value("/etc/larder/larder.toml"),
        "configuration file (TOML)")("check-config", po::value<std::string>(),
                                     "check a configuration file: exit 0 when valid, 2 with the "
                                     "error otherwise")(
        "ready-file", po::value<std::string>(),
        "write the bound listen addresses here once every listener is bound")(
        "log-level", po::value<std::string>(),
        "override [log] level: trace, debug, info, warn, error, critical, off");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "larder: " << e.what() << "\n" << options;
        return kExitConfigError;
    }
    if (vm.count("help")) {
        std::cout << "larder " << LARDER_VERSION << ": a caching HTTP reverse proxy\n\n" << options;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "larder " << LARDER_VERSION << "\n";
        return 0;
    }
    if (vm.count("check-config")) {
        try {
            const std::string& file = vm["check-config"].as<std::string>();
            const config::Config checked = config::load_file(file);
            std::cout << file << ": ok" << std::endl;
            for (const auto& w : config::lint(checked))
                std::cerr << config::location(file, w) << ": warning: " << w.key << ": "
                          << w.message << "\n";
            return 0;
        } catch (const config::ConfigError& e) {
            std::cerr << e.what() << "\n";
            return kExitConfigError;
        }
    }

    config::Config config;
    std::shared_ptr<spdlog::logger> access_log;  // a log file that cannot be opened: exit 2
    try {
        config = config::load_file(vm["config"].as<std::string>());
        if (vm.count("log-level")) {
            config.log.level = vm["log-level"].as<std::string>();
            static const std::vector<std::string> levels = {"trace", "debug",    "info", "warn",
                                                            "error", "critical", "off"};
            if (std::find(levels.begin(), levels.end(), config.log.level) == levels.end())
                throw std::runtime_error(
                    "--log-level: expected one of trace, debug, info, warn, "
                    "error, critical, off; got \"" +
                    config.log.level + "\"");
        }
        obs::init_error_log(config.log.error, config.log.level);
        access_log = obs::make_access_log(config.log.access);
        for (const auto& w : config::lint(config))
            spdlog::warn("{}: {}: {}", config::location(config.source_path, w), w.key, w.message);
    } catch (const config::ConfigError& e) {
        std::cerr << e.what() << "\nlarder: refusing to start with an invalid configuration\n";
        return kExitConfigError;
    } catch (const std::exception& e) {
        std::cerr << "larder: " << e.what() << "\n";
        return kExitConfigError;
    }
    int rc = kExitStartupError;
    try {
        DaemonOptions options{
            .config_path = vm["config"].as<std::string>(),
            .ready_file = vm.count("ready-file") ? vm["ready-file"].as<std::string>() : "",
            .log_level_override = vm.count("log-level")
                                      ? std::optional(vm["log-level"].as<std::string>())
                                      : std::nullopt};
        rc = run_daemon(std::move(config), options, std::move(access_log));
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
    }
    obs::shutdown_logging();
    return rc;
}
