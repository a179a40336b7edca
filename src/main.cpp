// larder: the daemon's entry point. Parses the command line, loads and checks the config,
// builds the shared parts (rules, store, upstream backends), binds, writes the ready file,
// runs the workers, and drains on SIGTERM or SIGINT. `larder explain ...` is handed to
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
#include "larder/admin/server.hpp"
#include "larder/cache/store.hpp"
#include "larder/coding/pool.hpp"
#include "larder/config/lint.hpp"
#include "larder/config/loader.hpp"
#include "larder/explain/command.hpp"
#include "larder/http/spool_file.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/logging.hpp"
#include "larder/rules/ruleset.hpp"
#include "larder/server/server.hpp"
#include "larder/upstream/backend.hpp"

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

int run_daemon(const config::Config& config, const std::string& ready_file,
               std::shared_ptr<spdlog::logger> access_log) {
    // Large request bodies are spooled there: a directory that cannot take them stops start-up.
    const std::string body_dir = config.server.body_temp_dir.empty()
                                     ? http::default_spool_directory()
                                     : config.server.body_temp_dir;
    if (auto problem = http::spool_directory_problem(body_dir))
        throw std::runtime_error("[server] body_temp_dir: " + *problem);
    rules::RuleSet rules(config);
    cache::Store store(
        {.max_size = config.cache.max_size,
         .max_objects = config.cache.max_objects,
         .max_object_size = config.cache.max_object_size,
         .max_variants = config.cache.max_variants,
         .uncacheable_ttl = config.cache.uncacheable_ttl,
         .max_uncacheable = config.cache.max_uncacheable,
         .purge_window = std::chrono::duration_cast<std::chrono::milliseconds>(config.purge.window),
         .max_pending_purges = config.purge.max_pending});
    cache::HttpPolicyOptions http_policy = cache::http_policy_options(config.cache);
    http_policy.default_stale_if_error =
        std::chrono::duration_cast<std::chrono::seconds>(config.cache.stale_if_error);
    obs::SystemClock clock;
    auto backends = upstream::resolve_backends(config.upstream);
    proxy::Shared shared{config, rules, store, http_policy, clock, std::move(access_log)};

    // Signals are taken over before anything is bound, so a SIGTERM right after the ready file
    // appears drains instead of killing the process.
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&](const boost::system::error_code&, int sig) { received = sig; });

    server::Server server(shared, backends);
    shared.draining = &server.draining();
    // Store-time compression off the workers' event loops (docs/compression.md). Declared after
    // the server, so it is joined before the workers whose coroutines it resumes are destroyed;
    // set before the workers start.
    coding::Pool compression_pool(config.compression.threads);
    shared.compression_pool = &compression_pool;
    auto addresses = server.bind();

    // The admin API (docs/admin-api.md): its own thread, routes added by each module.
    obs::PurgeCounters purge_counters;
    admin::Router admin_router;
    std::vector<std::string> rule_names;
    for (const auto& rule : config.rules) rule_names.push_back(rule.name);
    admin::MetricsSources metrics{.workers = server.counters(),
                                  .store = &store,
                                  .health = &backends.front().cluster->health(),
                                  .purges = &purge_counters,
                                  .client_connections = &server.state().active_connections,
                                  .draining = &server.draining(),
                                  .rule_names = std::move(rule_names),
                                  .version = LARDER_VERSION};
    admin::add_observe_routes(admin_router, std::move(metrics));
    admin::add_explain_routes(admin_router,
                              {.config = config, .rules = rules, .store = store, .clock = clock});
    admin::add_purge_routes(
        admin_router, {.rules = rules, .store = store, .clock = clock, .counters = purge_counters});
    admin::AdminServer admin_server(config.admin, admin_router);
    auto admin_addresses = admin_server.bind();

    if (!ready_file.empty()) write_ready_file(ready_file, addresses, admin_addresses);
    server.start();
    admin_server.start();
    for (const auto& a : addresses)
        spdlog::info("larder {} listening on {} with {} workers, upstream {}", LARDER_VERSION, a,
                     server.workers(), backends.front().name);
    for (const auto& a : admin_addresses) spdlog::info("admin API on http://{}/", a);

    signals_io.run();

    spdlog::info("signal {}: draining {} connections (up to {} ms)", received,
                 server.active_connections(), config.server.drain_timeout.count());
    std::size_t cut = server.drain(config.server.drain_timeout);
    if (cut > 0) spdlog::warn("drain timeout: closed {} connections still in flight", cut);
    admin_server.stop();  // after the drain: /healthz said 503 all along
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
        std::string ready = vm.count("ready-file") ? vm["ready-file"].as<std::string>() : "";
        rc = run_daemon(config, ready, std::move(access_log));
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
    }
    obs::shutdown_logging();
    return rc;
}
