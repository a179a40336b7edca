// proxy::Generation: one configuration as the daemon runs it, and proxy::CurrentGeneration, the
// one a new request starts on.
//
// A Generation is built whole from a loaded config::Config before anything uses it (compiled
// rules, RFC 9111 options, access log, resolved upstream servers, the rule -> counter row map,
// and the `Shared` view the pipeline reads), and is immutable afterwards. It is held by
// shared_ptr: each worker pins the current one for every request it starts (the session takes
// the reference when the request is complete, the request and every fetch it causes, a
// background refresh included, hold it until they end), so a request in flight during a reload
// finishes on the rules, upstreams and timeouts it started with, and an old generation is freed
// when its last request ends. Nothing keeps a reference into a Generation beyond the pin.
//
// What a new generation takes from the previous one rather than rebuilding: the upstream
// servers (`Upstreams`, with their Cluster: health table, connection gate, checker thread, and
// through them each worker's pool of idle connections) when the [upstream] section is unchanged;
// when it changed, new Upstreams whose servers carry over the state of the previous
// generation's servers with the same identity (address as configured and as resolved:
// upstream/backend_state.hpp) — health, ejections, counts, waiters, and each worker's idle
// connections to them — while added servers start fresh; and the access logger when log.access
// names the same target. The cache (cache::Store), the clock and the draining flag are the
// daemon's, outside any generation.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "larder/cache/http_policy.hpp"
#include "larder/cache/store.hpp"
#include "larder/config/config.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/rule_rows.hpp"
#include "larder/proxy/pipeline.hpp"
#include "larder/rules/ruleset.hpp"
#include "larder/upstream/backend.hpp"

namespace larder::proxy {

// The [upstream] section and its servers, resolved, sharing one Cluster.
struct Upstreams {
    config::UpstreamConfig config;
    std::vector<upstream::Backend> backends;
};

// What outlives every generation and each one refers to.
struct DaemonParts {
    cache::Store& store;
    const obs::Clock& clock;
    obs::RuleRows& rule_rows;
    const std::atomic<bool>* draining = nullptr;
    coding::Pool* compression_pool = nullptr;  // store-time compression; null: inline
};

class Generation {
  public:
    // Builds generation `number` from `config`; `previous` (may be null) lends its upstreams and
    // access log when they are unchanged. Throws std::runtime_error (or a subclass) naming what
    // cannot be built: a rule that does not compile, an upstream server that does not resolve,
    // a log file or body_temp_dir that cannot be used. Nothing is changed when it throws.
    // `access_log`, when given, is the logger already opened for config.log.access (start-up).
    static std::shared_ptr<const Generation> build(
        config::Config config, std::uint64_t number, const Generation* previous,
        const DaemonParts& parts, std::shared_ptr<spdlog::logger> access_log = nullptr);

    Generation(config::Config config, std::uint64_t number, const Generation* previous,
               const DaemonParts& parts, std::shared_ptr<spdlog::logger> access_log);
    Generation(const Generation&) = delete;
    Generation& operator=(const Generation&) = delete;

    const std::uint64_t number;
    const config::Config config;
    const rules::RuleSet rules;
    const cache::HttpPolicyOptions http_policy;
    const std::shared_ptr<spdlog::logger> access_log;
    const std::shared_ptr<const Upstreams> upstreams;
    // Counters::responses row of each rule, by its index in config.rules.
    const std::vector<std::uint32_t> rule_rows;
    // Rules that got no counter row of their own (RuleRows full): counted as "no rule".
    const std::vector<std::string> rules_without_row;
    // What the pipeline reads, pointing into this generation.
    const Shared shared;
};

using GenerationPtr = std::shared_ptr<const Generation>;

// The generation new requests start on. publish() (the reload, one at a time) swaps it; each
// worker compares number() (one relaxed load per request) with the generation it holds and
// takes the new one with get() only when it changed. The constructor and publish() start the
// generation's upstream health checks (upstream::Cluster::start), which take over probing the
// servers it shares with the previous one: a generation built but never published (a reload
// that failed after building it) never probed anything nor changed any server's state.
class CurrentGeneration {
  public:
    explicit CurrentGeneration(GenerationPtr first);

    GenerationPtr get() const;
    std::uint64_t number() const { return number_.load(std::memory_order_acquire); }
    void publish(GenerationPtr next);

  private:
    mutable std::mutex mutex_;
    GenerationPtr current_;
    std::atomic<std::uint64_t> number_;
};

}  // namespace larder::proxy
