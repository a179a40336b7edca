#include "larder/admin/reload_route.hpp"

#include <boost/json.hpp>

namespace larder::admin {

AdminResponse reload_answer(const ReloadReport& report) {
    if (report.error.empty()) {
        boost::json::array needs_restart;
        for (const auto& key : report.needs_restart) needs_restart.emplace_back(key);
        return AdminResponse::json(boost::json::object{{"status", "ok"},
                                                       {"generation", report.generation},
                                                       {"needs_restart", std::move(needs_restart)},
                                                       {"took_ms", report.took_ms}});
    }
    int status = 500;
    if (report.error == "invalid_config") status = 400;
    if (report.error == "stopping") status = 503;
    return AdminResponse::error(status, report.error, report.message);
}

void add_reload_route(Router& router, std::function<ReloadReport()> reload) {
    router.add(
        "POST", "/reload", [reload](const AdminRequest&) { return reload_answer(reload()); },
        RouteAccess::Token,
        "reload the configuration file (as SIGHUP); the old one stays in force on any error");
}

}  // namespace larder::admin
