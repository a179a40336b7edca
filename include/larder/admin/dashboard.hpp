// admin::dashboard_page: the live dashboard served at GET /, one self-contained HTML page.
//
// Inline CSS and JavaScript, no external assets (it works on a host without internet access and
// leaks no request to a third party). The script polls ./stats.json every second and draws:
// requests per second by cache status, hit ratio, origin latency percentiles (p50/p90/p99
// interpolated from the histogram's buckets over the last ten seconds, or since start when
// nothing was fetched lately), top rules, top keys, backend health and store fill. Elements that
// tests read carry ids (total-HIT, hit-ratio, store-objects, ...), and the page sets
// data-updates on <body> to how many polls succeeded.
#pragma once

#include <string_view>

namespace larder::admin {

std::string_view dashboard_page();

}  // namespace larder::admin
