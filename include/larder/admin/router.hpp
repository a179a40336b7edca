// admin::Router: the admin API's routes, as pure functions, and the one place requests are
// dispatched.
//
// Modules add their routes at start-up (before the admin server starts; the router is immutable
// afterwards and read from the admin thread only): observe_routes.hpp adds /, /metrics,
// /stats.json and /healthz; purge and explain add theirs the same way, each from its own file,
// e.g. router.add("POST", "/purge", handler). Paths match exactly (arguments travel in the query
// or the body); a HEAD is answered by the GET route without its body.
//
// serve() is everything between the wire and a handler: access first (access.hpp: 403, 401;
// an unknown path is checked as a token route, so a refused caller cannot probe which routes
// exist), then 404 for an unknown path, 405 with Allow for a known path and another method, then
// the handler. A handler that throws gets a 500 {"error": "internal"} with the exception's
// message, never a dead admin thread. Handlers run on the admin thread, one at a time: a slow
// one delays other admin requests, never the proxy's workers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/admin/access.hpp"
#include "larder/admin/message.hpp"

namespace larder::admin {

using Handler = std::function<AdminResponse(const AdminRequest&)>;

struct Route {
    std::string method;
    std::string path;
    Handler handler;
    RouteAccess access = RouteAccess::Token;
    std::string summary;  // one line, listed by GET /api
};

class Router {
  public:
    // Throws std::logic_error when `method path` is already routed (a start-up bug).
    void add(std::string method, std::string path, Handler handler,
             RouteAccess access = RouteAccess::Token, std::string summary = {});

    AdminResponse serve(const AdminRequest& request, const AccessPolicy& access) const;
    const std::vector<Route>& routes() const { return routes_; }

  private:
    const Route* find(std::string_view method, std::string_view path) const;

    std::vector<Route> routes_;
};

}  // namespace larder::admin
