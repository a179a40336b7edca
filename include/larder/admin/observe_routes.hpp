// admin::add_observe_routes: the read-only routes of the admin API.
//
//   GET /            the live dashboard (dashboard.hpp), which polls /stats.json every second
//   GET /metrics     Prometheus text format (prometheus.hpp)
//   GET /stats.json  the same numbers as JSON (stats_json.hpp)
//   GET /healthz     200 {"status":"serving"}, 503 {"status":"draining"} once SIGTERM arrived;
//                    no token needed (load balancers), the allow list still applies
//   GET /api         every route with its one-line summary
//
// Rendering is cheap (metrics.hpp): a scrape reads counters and takes each store shard's lock
// once, briefly; it never waits for a worker.
#pragma once

#include "larder/admin/metrics.hpp"
#include "larder/admin/router.hpp"

namespace larder::admin {

// `router` must outlive the routes (GET /api lists it).
void add_observe_routes(Router& router, MetricsSources sources);

}  // namespace larder::admin
