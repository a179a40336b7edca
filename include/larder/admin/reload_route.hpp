// admin::add_reload_route: POST /reload on the admin API: the same reload as SIGHUP
// (server::Reloader), answered with its outcome.
//
// 200 {"status":"ok","generation":N,"needs_restart":[keys],"took_ms":T} when the new
// configuration is in use; otherwise the daemon still runs the previous one and the answer is
// 400 {"error":"invalid_config","message":"FILE:LINE:COL: KEY: ..."} for a file that does not
// load, 500 {"error":"cannot_apply"|"cannot_listen",...} for a valid file that cannot be put in
// force, 503 {"error":"stopping"} while the daemon drains. Token and allow list as every
// token route. The admin module does not know the server module: the daemon passes the reload
// as a function returning a ReloadReport.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "larder/admin/router.hpp"

namespace larder::admin {

struct ReloadReport {
    std::string error;    // empty on success, else the server::ReloadError name
    std::string message;  // why it failed
    std::uint64_t generation = 0;
    std::vector<std::string> needs_restart;
    double took_ms = 0;
};

void add_reload_route(Router& router, std::function<ReloadReport()> reload);

AdminResponse reload_answer(const ReloadReport& report);

}  // namespace larder::admin
