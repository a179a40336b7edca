// admin::render_prometheus: a MetricsSnapshot in the Prometheus text exposition format 0.0.4
// (what GET /metrics answers; docs/operations.md explains each family).
//
// Every family has # HELP and # TYPE lines and its samples right after them; counters end in
// _total; label values are escaped (backslash, double quote, newline); the latency histogram has
// cumulative _bucket{le} series ending with le="+Inf", then _sum (seconds) and _count. Series
// exist from the start (zero) for every rule, cache status and backend, so rates work from the
// first scrape. A pure function: the unit tests parse its output.
#pragma once

#include <string>
#include <string_view>

#include "larder/admin/metrics.hpp"

namespace larder::admin {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const MetricsSnapshot& snapshot);

}  // namespace larder::admin
