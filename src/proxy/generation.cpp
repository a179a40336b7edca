#include "larder/proxy/generation.hpp"

#include <stdexcept>

#include "larder/http/spool_file.hpp"
#include "larder/obs/logging.hpp"

namespace larder::proxy {

namespace {

cache::HttpPolicyOptions http_policy_for(const config::CacheConfig& cache) {
    cache::HttpPolicyOptions options = cache::http_policy_options(cache);
    options.default_stale_if_error =
        std::chrono::duration_cast<std::chrono::seconds>(cache.stale_if_error);
    return options;
}

std::shared_ptr<spdlog::logger> access_log_for(const config::Config& config,
                                               const Generation* previous,
                                               std::shared_ptr<spdlog::logger> opened) {
    if (opened) return opened;
    if (previous && previous->config.log.access == config.log.access) return previous->access_log;
    try {
        return obs::make_access_log(config.log.access);
    } catch (const std::exception& e) {
        throw std::runtime_error("[log] access: cannot open \"" + config.log.access +
                                 "\": " + e.what());
    }
}

std::shared_ptr<const Upstreams> upstreams_for(const config::Config& config,
                                               const Generation* previous) {
    if (previous && previous->upstreams->config == config.upstream) return previous->upstreams;
    auto made = std::make_shared<Upstreams>();
    made->config = config.upstream;
    // The servers the running generation also has keep their state (upstream/backend_state.hpp).
    made->backends = upstream::resolve_backends(
        made->config, previous ? previous->upstreams->backends : std::vector<upstream::Backend>{});
    return made;
}

std::vector<std::uint32_t> rows_for(const config::Config& config, obs::RuleRows& rows) {
    std::vector<std::uint32_t> out;
    for (const auto& rule : config.rules) out.push_back(rows.row_for(rule.name));
    return out;
}

std::vector<std::string> rules_without_row(const config::Config& config,
                                           const std::vector<std::uint32_t>& rows,
                                           std::size_t capacity) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i] >= capacity) out.push_back(config.rules[i].name);
    return out;
}

// The body spool directory is checked before anything else is built.
config::Config checked(config::Config config) {
    const std::string dir = config.server.body_temp_dir.empty() ? http::default_spool_directory()
                                                                : config.server.body_temp_dir;
    if (auto problem = http::spool_directory_problem(dir))
        throw std::runtime_error("[server] body_temp_dir: " + *problem);
    return config;
}

}  // namespace

std::shared_ptr<const Generation> Generation::build(config::Config config, std::uint64_t number,
                                                    const Generation* previous,
                                                    const DaemonParts& parts,
                                                    std::shared_ptr<spdlog::logger> access_log) {
    return std::make_shared<const Generation>(checked(std::move(config)), number, previous, parts,
                                              std::move(access_log));
}

Generation::Generation(config::Config config_in, std::uint64_t number_in,
                       const Generation* previous, const DaemonParts& parts,
                       std::shared_ptr<spdlog::logger> opened_access_log)
    : number(number_in),
      config(std::move(config_in)),
      rules(config),
      http_policy(http_policy_for(config.cache)),
      access_log(access_log_for(config, previous, std::move(opened_access_log))),
      upstreams(upstreams_for(config, previous)),
      rule_rows(rows_for(config, parts.rule_rows)),
      rules_without_row(proxy::rules_without_row(config, rule_rows, parts.rule_rows.capacity())),
      shared{.config = config,
             .rules = rules,
             .store = parts.store,
             .http_policy = http_policy,
             .clock = parts.clock,
             .access_log = access_log,
             .draining = parts.draining,
             .rule_rows = &rule_rows,
             .compression_pool = parts.compression_pool} {}

namespace {
// The generation's health checks start, taking over the servers it shares with the previous one.
void start_upstreams(const Generation& g) {
    if (!g.upstreams->backends.empty()) g.upstreams->backends.front().cluster->start();
}
}  // namespace

CurrentGeneration::CurrentGeneration(GenerationPtr first)
    : current_(std::move(first)), number_(current_->number) {
    start_upstreams(*current_);
}

GenerationPtr CurrentGeneration::get() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void CurrentGeneration::publish(GenerationPtr next) {
    start_upstreams(*next);
    std::uint64_t n = next->number;
    {
        std::lock_guard lock(mutex_);
        current_ = std::move(next);
    }
    number_.store(n, std::memory_order_release);
}

}  // namespace larder::proxy
