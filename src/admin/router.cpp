// Router: registration, and serve(): access, 404/405, the handler, its exceptions.
#include "larder/admin/router.hpp"

#include <stdexcept>

namespace larder::admin {

void Router::add(std::string method, std::string path, Handler handler, RouteAccess access,
                 std::string summary) {
    if (find(method, path))
        throw std::logic_error("admin route " + method + " " + path + " added twice");
    routes_.push_back({.method = std::move(method),
                       .path = std::move(path),
                       .handler = std::move(handler),
                       .access = access,
                       .summary = std::move(summary)});
}

const Route* Router::find(std::string_view method, std::string_view path) const {
    for (const auto& r : routes_)
        if (r.method == method && r.path == path) return &r;
    return nullptr;
}

AdminResponse Router::serve(const AdminRequest& request, const AccessPolicy& access) const {
    const bool head = request.method == "HEAD";
    const Route* route = find(head ? "GET" : request.method, request.path);
    // An unknown route is guarded like a token route: refusals say nothing about what exists.
    auto verdict = access.check(request, route ? route->access : RouteAccess::Token);
    if (verdict != AccessVerdict::Allowed) return AccessPolicy::refusal(verdict);
    if (!route) {
        std::string allow;
        for (const auto& r : routes_)
            if (r.path == request.path) allow += (allow.empty() ? "" : ", ") + r.method;
        if (allow.empty())
            return AdminResponse::error(
                404, "not_found", "no admin route " + request.path + " (GET /api lists them)");
        AdminResponse r = AdminResponse::error(
            405, "method_not_allowed", request.method + " " + request.path + ": use " + allow);
        r.headers.emplace_back("Allow", allow);
        return r;
    }
    try {
        return route->handler(request);
    } catch (const std::exception& e) {
        return AdminResponse::error(500, "internal", e.what());
    }
}

}  // namespace larder::admin
