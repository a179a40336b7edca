// admin::add_purge_routes: POST /purge on the admin API (docs/purge.md).
//
// The body is one JSON object naming exactly one of "url", "tag", "prefix", "pattern" (a
// string) and optionally "soft" (a boolean). The handler prepares the purge with the daemon's
// rules (proxy::prepare_purge: URL and query normalisation), applies it to the store
// (cache::Store::purge, which sweeps for prefix and pattern purges — on the admin thread, never
// a worker's) and answers {"kind", "soft", "purged", "id"}; errors are 400 with the
// proxy::PurgeError name (or "invalid_body"), 429 "too_many_pending_purges". Every accepted
// purge is counted in obs::PurgeCounters and logged at info level, then handed to `on_applied`
// when set (a cluster node publishes it to the other nodes: cluster/purge_bus.hpp).
#pragma once

#include <functional>

#include "larder/admin/router.hpp"
#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/purge_counters.hpp"
#include "larder/proxy/generation.hpp"
#include "larder/proxy/purge.hpp"
#include "larder/rules/ruleset.hpp"

namespace larder::admin {

struct PurgeSources {
    const rules::RuleSet& rules;
    cache::Store& store;
    const obs::Clock& clock;
    obs::PurgeCounters& counters;
    std::function<void(const proxy::PurgeOrder&)> on_applied = {};  // after a local purge
};

// Each purge is prepared with the rules of the generation in use when it arrives (a reload
// changes them). Everything passed must outlive the router.
// `on_applied`, when set, is told of each purge applied here (a cluster node publishes it).
void add_purge_routes(Router& router, const proxy::CurrentGeneration& generations,
                      cache::Store& store, const obs::Clock& clock, obs::PurgeCounters& counters,
                      std::function<void(const proxy::PurgeOrder&)> on_applied = {});

// The handler itself, for tests.
AdminResponse handle_purge(const AdminRequest& request, const PurgeSources& sources);

}  // namespace larder::admin
