// The read-only routes: dashboard, metrics, stats, health, route list.
#include "larder/admin/observe_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>

#include "larder/admin/dashboard.hpp"
#include "larder/admin/prometheus.hpp"
#include "larder/admin/stats_json.hpp"

namespace larder::admin {

void add_observe_routes(Router& router, MetricsSources sources) {
    auto src = std::make_shared<const MetricsSources>(std::move(sources));
    router.add(
        "GET", "/",
        [](const AdminRequest&) {
            return AdminResponse::text(std::string(dashboard_page()), "text/html; charset=utf-8");
        },
        RouteAccess::Token, "the live dashboard (HTML)");
    router.add(
        "GET", "/metrics",
        [src](const AdminRequest&) {
            return AdminResponse::text(render_prometheus(collect(*src)),
                                       std::string(kPrometheusContentType));
        },
        RouteAccess::Token, "Prometheus metrics (text exposition format)");
    router.add(
        "GET", "/stats.json",
        [src](const AdminRequest&) { return AdminResponse::json(stats_json(collect(*src))); },
        RouteAccess::Token, "the dashboard's numbers as JSON");
    router.add(
        "GET", "/healthz",
        [src](const AdminRequest&) {
            bool draining = src->draining && src->draining->load(std::memory_order_relaxed);
            return AdminResponse::json(
                boost::json::object{{"status", draining ? "draining" : "serving"}},
                draining ? 503 : 200);
        },
        RouteAccess::Anyone, "200 while serving, 503 while draining (no token needed)");
    router.add(
        "GET", "/api",
        [&router](const AdminRequest&) {
            boost::json::array routes;
            for (const auto& r : router.routes())
                routes.push_back(boost::json::object{{"method", r.method},
                                                     {"path", r.path},
                                                     {"token", r.access == RouteAccess::Token},
                                                     {"summary", r.summary}});
            return AdminResponse::json(boost::json::object{{"routes", std::move(routes)}});
        },
        RouteAccess::Token, "this list");
}

}  // namespace larder::admin
