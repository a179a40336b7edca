// admin::stats_json: a MetricsSnapshot as the JSON object GET /stats.json answers (the
// dashboard polls it every second; docs/admin-api.md lists the fields). Counters are totals
// since start: rates are the client's business (the dashboard divides deltas by time).
#pragma once

#include <boost/json/object.hpp>

#include "larder/admin/metrics.hpp"

namespace larder::admin {

boost::json::object stats_json(const MetricsSnapshot& snapshot);

}  // namespace larder::admin
